// Package codegen turns requests.tsv and responses.tsv into the Go source of package code.
//
// It lives in its own package so that gen.go (run by go generate) and the drift test in package code
// share one renderer: the test regenerates in memory and compares with the checked-in zz_generated.go.
package codegen

import (
	"bufio"
	"bytes"
	"fmt"
	"go/format"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Served-by values allowed in requests.tsv.
var servedByValues = []string{"namesrv", "broker", "client", "none"}

// Tags allowed in requests.tsv.
var tagValues = []string{"essential", "txn", "orderly", "ha", "acl", "admin", "reply", "sql92", "cluster", "unused"}

// Request is one row of requests.tsv.
type Request struct {
	Code     int32
	Name     string // Java constant name, e.g. SEND_MESSAGE_V2
	ServedBy string // namesrv, broker, client or none
	Tag      string
}

// Response is one row of responses.tsv.
type Response struct {
	Code int32
	Name string
}

// GoName turns a Java constant name into the Go identifier used for it: SEND_MESSAGE_V2 -> SendMessageV2.
func GoName(java string) string {
	var b strings.Builder
	for _, part := range strings.Split(java, "_") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]))
		b.WriteString(strings.ToLower(part[1:]))
	}
	return b.String()
}

// ParseRequests reads requests.tsv: a header row "code name served_by tag", then one row per code.
// Blank lines and lines starting with '#' are skipped.
func ParseRequests(r io.Reader) ([]Request, error) {
	rows, err := readTSV(r, []string{"code", "name", "served_by", "tag"})
	if err != nil {
		return nil, fmt.Errorf("requests.tsv: %w", err)
	}
	out := make([]Request, 0, len(rows))
	for _, row := range rows {
		c, err := parseCode(row.fields[0])
		if err != nil {
			return nil, fmt.Errorf("requests.tsv line %d: %w", row.line, err)
		}
		if !slices.Contains(servedByValues, row.fields[2]) {
			return nil, fmt.Errorf("requests.tsv line %d: served_by %q is not one of %v", row.line, row.fields[2], servedByValues)
		}
		if !slices.Contains(tagValues, row.fields[3]) {
			return nil, fmt.Errorf("requests.tsv line %d: tag %q is not one of %v", row.line, row.fields[3], tagValues)
		}
		out = append(out, Request{Code: c, Name: row.fields[1], ServedBy: row.fields[2], Tag: row.fields[3]})
	}
	return out, nil
}

// ParseResponses reads responses.tsv: a header row "code name", then one row per code.
func ParseResponses(r io.Reader) ([]Response, error) {
	rows, err := readTSV(r, []string{"code", "name"})
	if err != nil {
		return nil, fmt.Errorf("responses.tsv: %w", err)
	}
	out := make([]Response, 0, len(rows))
	for _, row := range rows {
		c, err := parseCode(row.fields[0])
		if err != nil {
			return nil, fmt.Errorf("responses.tsv line %d: %w", row.line, err)
		}
		out = append(out, Response{Code: c, Name: row.fields[1]})
	}
	return out, nil
}

type tsvRow struct {
	line   int
	fields []string
}

func readTSV(r io.Reader, header []string) ([]tsvRow, error) {
	sc := bufio.NewScanner(r)
	var rows []tsvRow
	sawHeader := false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if !sawHeader {
			if !slices.Equal(fields, header) {
				return nil, fmt.Errorf("line %d: header is %q, want the tab-separated columns %q", n, fields, header)
			}
			sawHeader = true
			continue
		}
		if len(fields) != len(header) {
			return nil, fmt.Errorf("line %d: %d tab-separated columns, want %d (%s)", n, len(fields), len(header), strings.Join(header, ", "))
		}
		for i, f := range fields {
			if f == "" || strings.TrimSpace(f) != f {
				return nil, fmt.Errorf("line %d: column %s is empty or has surrounding spaces", n, header[i])
			}
		}
		rows = append(rows, tsvRow{line: n, fields: fields})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !sawHeader {
		return nil, fmt.Errorf("no header row; the first non-comment line must be %q", strings.Join(header, "\t"))
	}
	return rows, nil
}

func parseCode(s string) (int32, error) {
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("code %q is not a decimal int32", s)
	}
	return int32(v), nil
}

// Render returns the gofmt-ed Go source of zz_generated.go. It rejects duplicate codes and names so the
// tables can never hold two meanings for one number.
func Render(reqs []Request, resps []Response) ([]byte, error) {
	reqs = slices.Clone(reqs)
	resps = slices.Clone(resps)
	slices.SortFunc(reqs, func(a, b Request) int { return int(a.Code) - int(b.Code) })
	slices.SortFunc(resps, func(a, b Response) int { return int(a.Code) - int(b.Code) })

	reqIdent := make(map[string]string, len(reqs)) // Go identifier -> Java name
	for i, r := range reqs {
		if i > 0 && reqs[i-1].Code == r.Code {
			return nil, fmt.Errorf("request code %d appears twice (%s, %s)", r.Code, reqs[i-1].Name, r.Name)
		}
		id := GoName(r.Name)
		if prev, ok := reqIdent[id]; ok {
			return nil, fmt.Errorf("request names %s and %s both become Go name %s", prev, r.Name, id)
		}
		reqIdent[id] = r.Name
	}
	respIdent := make([]string, len(resps))
	seen := make(map[string]string, len(resps))
	for i, r := range resps {
		if i > 0 && resps[i-1].Code == r.Code {
			return nil, fmt.Errorf("response code %d appears twice (%s, %s)", r.Code, resps[i-1].Name, r.Name)
		}
		id := GoName(r.Name)
		if _, clash := reqIdent[id]; clash {
			id = "Resp" + id // only when a request already uses the name
		}
		if prev, ok := seen[id]; ok {
			return nil, fmt.Errorf("response names %s and %s both become Go name %s", prev, r.Name, id)
		}
		seen[id] = r.Name
		respIdent[i] = id
	}

	var b bytes.Buffer
	b.WriteString("// Code generated by gen.go from requests.tsv and responses.tsv; DO NOT EDIT.\n\n")
	b.WriteString("package code\n\n")
	b.WriteString("// Request codes of RocketMQ 4.9.8 (RequestCode.java).\nconst (\n")
	for _, r := range reqs {
		fmt.Fprintf(&b, "\t%s int32 = %d // %s; served by %s; %s\n", GoName(r.Name), r.Code, r.Name, r.ServedBy, r.Tag)
	}
	b.WriteString(")\n\n")
	b.WriteString("// Response codes of RocketMQ 4.9.8 (RemotingSysResponseCode.java and ResponseCode.java).\nconst (\n")
	for i, r := range resps {
		fmt.Fprintf(&b, "\t%s int32 = %d // %s\n", respIdent[i], r.Code, r.Name)
	}
	b.WriteString(")\n\n")
	b.WriteString("// requestTable is sorted by code.\nvar requestTable = [...]requestInfo{\n")
	for _, r := range reqs {
		fmt.Fprintf(&b, "\t{%s, %q, %q, %q},\n", GoName(r.Name), r.Name, r.ServedBy, r.Tag)
	}
	b.WriteString("}\n\n")
	b.WriteString("// responseTable is sorted by code.\nvar responseTable = [...]responseInfo{\n")
	for i, r := range resps {
		fmt.Fprintf(&b, "\t{%s, %q},\n", respIdent[i], r.Name)
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("generated source does not format: %w", err)
	}
	return src, nil
}

// Generate reads both tables and renders zz_generated.go.
func Generate(requests, responses io.Reader) ([]byte, error) {
	reqs, err := ParseRequests(requests)
	if err != nil {
		return nil, err
	}
	resps, err := ParseResponses(responses)
	if err != nil {
		return nil, err
	}
	return Render(reqs, resps)
}
