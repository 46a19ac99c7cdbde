package mfa

import (
	"bytes"
	"image/png"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
)

// QRRenderer turns an otpauth URI into an image for the user to scan. The
// host may supply its own (an SVG, a different size, a logo in the middle);
// the result goes to the host untouched through Enrolment.QRCode.
// Implementations must not log or keep the content: it holds the secret.
type QRRenderer interface {
	// Render returns the image of a QR code holding content.
	Render(content string) ([]byte, error)
}

// DefaultQRSize is the side, in pixels, of PNGRenderer's image when its
// Size is zero.
const DefaultQRSize = 256

// PNGRenderer is the default QRRenderer: a square PNG with error-correction
// level M, which phones read easily from a screen.
type PNGRenderer struct {
	// Size is the side of the image in pixels (default DefaultQRSize). It
	// is raised to the QR code's own size if smaller.
	Size int
}

// Render returns content as a PNG QR code.
func (r PNGRenderer) Render(content string) ([]byte, error) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	size := r.Size
	if size <= 0 {
		size = DefaultQRSize
	}
	size = max(size, code.Bounds().Dx())
	scaled, err := barcode.Scale(code, size, size)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, scaled); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
