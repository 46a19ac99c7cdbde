package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/accountsec/accountsec/reason"
)

// Decode reads the request body, a single JSON object, into v. The body must
// be application/json and at most Options.MaxBodyBytes (64 KiB by default);
// unknown fields are refused. Its errors are reason-coded, for Error:
// web.unsupported_media_type, web.body_too_large, or input.malformed with
// field "body". An empty body decodes as {}.
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	if r.Body == nil || r.ContentLength == 0 {
		return nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return reason.New(CodeUnsupportedMediaType)
	}
	limit := envFrom(r).opts.MaxBodyBytes
	if limit <= 0 {
		limit = 64 << 10
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return reason.New(CodeBodyTooLarge)
		}
		return reason.New(reason.InputMalformed).With("field", "body")
	}
	if dec.More() {
		return reason.New(reason.InputMalformed).With("field", "body")
	}
	return nil
}
