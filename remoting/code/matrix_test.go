package code

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const matrixPath = "../../compat/MATRIX.md"

// matrixRows reads the table rows of compat/MATRIX.md: code -> the row's cells.
func matrixRows(t *testing.T) map[int32][]string {
	t.Helper()
	f, err := os.Open(matrixPath)
	require.NoError(t, err, "compat/MATRIX.md must exist beside the compat package")
	defer f.Close()
	rows := map[int32][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		c, err := strconv.ParseInt(cells[0], 10, 32)
		if err != nil {
			continue // header or separator row
		}
		_, dup := rows[int32(c)]
		require.False(t, dup, "compat/MATRIX.md lists code %d twice", c)
		rows[int32(c)] = cells
	}
	require.NoError(t, sc.Err())
	return rows
}

// TestMatrixListsEveryCode keeps compat/MATRIX.md true to requests.tsv: every request code has exactly one
// row, with its Java name, a served-by cell that agrees with the table, and a status.
func TestMatrixListsEveryCode(t *testing.T) {
	rows := matrixRows(t)
	for _, c := range AllRequests() {
		cells, ok := rows[c]
		require.True(t, ok, "compat/MATRIX.md has no row for request code %d %s: add one", c, RequestName(c))
		require.Len(t, cells, 6, "row %d: want code | name | served by | status | proving test | owning issue", c)
		require.Equal(t, RequestName(c), cells[1], "row %d names the wrong code", c)
		want := ServedBy(c)
		if want == ServedByClient {
			want = "broker→client"
		}
		require.True(t, strings.HasPrefix(cells[2], want), "row %d: served by %q, requests.tsv says %s", c, cells[2], want)
		require.NotEmpty(t, cells[3], "row %d has no status", c)
		if ServedBy(c) == ServedByNone {
			require.True(t, strings.HasPrefix(cells[3], "not supported"), "row %d: 4.9.8 has no handler, so its status is not supported", c)
		}
	}
	for c := range rows {
		require.True(t, IsRequest(c), "compat/MATRIX.md lists %d, which is not a 4.9.8 request code", c)
	}
}
