package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/channel"
	"github.com/kaiwu-ai/kaiwu/finance/runway"
	"github.com/kaiwu-ai/kaiwu/finance/termsheet"
	"github.com/kaiwu-ai/kaiwu/finance/valuation"
)

// MaxBodyBytes is the largest document body a workspace accepts.
const MaxBodyBytes = 4 << 20

// MaxNameLen is the longest document (and user) name.
const MaxNameLen = 64

// Kinds lists every document kind, in the order List sorts them.
func Kinds() []Kind {
	return []Kind{KindChannels, KindCompany, KindCompute, KindOffers, KindProfile, KindRunway, KindValuation}
}

// ParseKind reads a kind name ("company", "runway", …).
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Kinds() {
		if k == known {
			return k, nil
		}
	}
	names := make([]string, 0, len(Kinds()))
	for _, known := range Kinds() {
		names = append(names, string(known))
	}
	return "", fmt.Errorf("workspace: unknown kind %q (want one of %s)", s, strings.Join(names, ", "))
}

// ValidName checks a document or user name: 1 to 64 characters, each a
// lower-case ASCII letter, a digit, '-' or '_'.
func ValidName(name string) error {
	if name == "" || len(name) > MaxNameLen {
		return fmt.Errorf("workspace: name %q: want 1 to %d characters", name, MaxNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("workspace: name %q: character %q at %d is not one of a-z, 0-9, '-', '_'", name, c, i+1)
		}
	}
	return nil
}

// BodyError is a document body its kind's parser refused; Err says what
// and where inside the body.
type BodyError struct {
	Kind Kind
	Name string
	Err  error
}

func (e *BodyError) Error() string {
	return "workspace: " + string(e.Kind) + "/" + e.Name + ": " + e.Err.Error()
}

// Unwrap returns the parser's error.
func (e *BodyError) Unwrap() error { return e.Err }

// Validate checks a document body (YAML text) as Put does: the size limit,
// UTF-8, and the parser of the kind's domain package —
//
//	company   finance/captable.Parse
//	valuation finance/valuation.Parse
//	offers    finance/termsheet.ParseOffers
//	runway    finance/runway.Plan (unknown fields refused) + Validate
//	channels  finance/channel.Load (overrides of the built-in channels)
//	compute   ParseComputePlan
//	profile   ParseProfile
//
// The error is a *BodyError wrapping the parser's, which names the field.
func Validate(kind Kind, name, body string) error {
	if _, err := ParseKind(string(kind)); err != nil {
		return err
	}
	if err := ValidName(name); err != nil {
		return err
	}
	berr := func(err error) error { return &BodyError{Kind: kind, Name: name, Err: err} }
	if len(body) > MaxBodyBytes {
		return berr(fmt.Errorf("the body is %d bytes, more than the %d allowed", len(body), MaxBodyBytes))
	}
	if !utf8.ValidString(body) {
		return berr(errors.New("the body is not UTF-8 text"))
	}
	if strings.TrimSpace(body) == "" {
		return berr(errors.New("the body is empty"))
	}
	b := []byte(body)
	var err error
	switch kind {
	case KindCompany:
		_, err = captable.Parse(b, false)
	case KindValuation:
		_, err = valuation.Parse(b, false)
	case KindOffers:
		_, err = termsheet.ParseOffers(b, false)
	case KindRunway:
		_, err = ParseRunwayPlan(b)
	case KindChannels:
		_, err = channel.Load(b)
	case KindCompute:
		_, err = ParseComputePlan(b)
	case KindProfile:
		_, err = ParseProfile(b)
	}
	if err != nil {
		return berr(err)
	}
	return nil
}

// decodeStrict decodes one YAML document into v, refusing unknown fields
// and a second document in the stream.
func decodeStrict(what string, b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: empty document", what)
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: more than one YAML document", what)
	}
	return nil
}

// ParseRunwayPlan decodes a runway plan (unknown fields refused) and
// validates it, so that runway.Project cannot fail on it for the base
// scenario.
func ParseRunwayPlan(b []byte) (*runway.Plan, error) {
	var p runway.Plan
	if err := decodeStrict("runway plan", b, &p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}
