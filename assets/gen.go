//go:build ignore

// gen draws Icon.png. Run `go generate ./assets` after changing Draw.
package main

import (
	"bytes"
	"image/png"
	"log"
	"os"

	"github.com/tnjwt/tnjwt/assets"
)

func main() {
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, assets.Draw(1024)); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("Icon.png", buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
