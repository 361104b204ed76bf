//go:build ignore

// gen.go writes zz_generated.go from requests.tsv and responses.tsv. Run it with `go generate ./remoting/code`.
package main

import (
	"log"
	"os"

	"github.com/rocketd/rocketd/remoting/code/internal/codegen"
)

func main() {
	req, err := os.Open("requests.tsv")
	if err != nil {
		log.Fatalf("gen: %v (run from remoting/code, e.g. via go generate)", err)
	}
	defer req.Close()
	resp, err := os.Open("responses.tsv")
	if err != nil {
		log.Fatalf("gen: %v (run from remoting/code, e.g. via go generate)", err)
	}
	defer resp.Close()
	src, err := codegen.Generate(req, resp)
	if err != nil {
		log.Fatalf("gen: %v", err)
	}
	if err := os.WriteFile("zz_generated.go", src, 0o644); err != nil {
		log.Fatalf("gen: %v", err)
	}
}
