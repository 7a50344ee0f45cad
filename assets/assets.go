// Package assets holds tnjwt's icon: the PNG that FyneApp.toml names, embedded
// so that a plain `go build` shows it too, and the code that draws it.
package assets

import (
	_ "embed"
	"image"
	"image/color"
	"math"
)

//go:generate go run gen.go

// Icon is assets/Icon.png, drawn by Draw(1024).
//
//go:embed Icon.png
var Icon []byte

// Draw renders the tnjwt icon at size×size: a key on a Salesforce-blue tile,
// with the three coloured dots of a JWT (header.payload.signature) on its
// shaft. Each pixel is supersampled 4×4 so edges are smooth at any size.
func Draw(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					u := (float64(x) + (float64(sx)+0.5)/ss) / float64(size)
					v := (float64(y) + (float64(sy)+0.5)/ss) / float64(size)
					c := shade(u, v)
					r += c[0] * c[3]
					g += c[1] * c[3]
					b += c[2] * c[3]
					a += c[3]
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{
				R: uint8(math.Round(r / a * 255)), G: uint8(math.Round(g / a * 255)),
				B: uint8(math.Round(b / a * 255)), A: uint8(math.Round(a / (ss * ss) * 255)),
			})
		}
	}
	return img
}

type rgba [4]float64

// shade returns the colour at (u, v) in the unit square, topmost shape first.
func shade(u, v float64) rgba {
	if !inRoundedRect(u, v, 0.04, 0.96, 0.2) {
		return rgba{}
	}
	dots := []struct {
		cx  float64
		col rgba
	}{
		{0.50, rgba{0.98, 0.33, 0.47, 1}}, // header
		{0.64, rgba{0.66, 0.40, 0.98, 1}}, // payload
		{0.78, rgba{0.20, 0.84, 0.93, 1}}, // signature
	}
	for _, d := range dots {
		if hypot(u-d.cx, v-0.5) < 0.045 {
			return d.col
		}
	}
	white := rgba{1, 1, 1, 1}
	// The bow: a ring.
	if r := hypot(u-0.30, v-0.5); r < 0.17 && r > 0.085 {
		return white
	}
	// The shaft and two teeth.
	if u > 0.44 && u < 0.88 && v > 0.44 && v < 0.56 {
		return white
	}
	if (u > 0.72 && u < 0.78 || u > 0.82 && u < 0.88) && v >= 0.56 && v < 0.68 {
		return white
	}
	// Background: a vertical gradient between two Salesforce blues.
	return rgba{0.04 + 0.06*(1-v), 0.36 + 0.23*(1-v), 0.67 + 0.33*(1-v), 1}
}

func inRoundedRect(u, v, lo, hi, radius float64) bool {
	cx := math.Max(lo+radius, math.Min(u, hi-radius))
	cy := math.Max(lo+radius, math.Min(v, hi-radius))
	return hypot(u-cx, v-cy) <= radius
}

func hypot(a, b float64) float64 { return math.Sqrt(a*a + b*b) }
