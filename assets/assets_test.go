package assets

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

// The committed PNG must be what Draw makes, so the icon can be changed only
// through code that a reviewer can read.
func TestIconIsDrawn(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(Icon))
	if err != nil {
		t.Fatalf("Icon.png is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 512 || b.Dx() != b.Dy() {
		t.Fatalf("icon is %v, want square and at least 512 px", b)
	}
	want := Draw(img.Bounds().Dx())
	if !samePixels(img, want) {
		t.Fatal("Icon.png differs from Draw(): run `go generate ./assets`")
	}
}

func TestIconCornersTransparentCentreOpaque(t *testing.T) {
	img := Draw(128)
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("corner alpha %d, want 0 (rounded tile)", a)
	}
	if _, _, _, a := img.At(64, 64).RGBA(); a != 0xffff {
		t.Errorf("centre alpha %d, want opaque", a)
	}
}

func samePixels(a image.Image, b *image.NRGBA) bool {
	for y := 0; y < b.Bounds().Dy(); y++ {
		for x := 0; x < b.Bounds().Dx(); x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				return false
			}
		}
	}
	return true
}
