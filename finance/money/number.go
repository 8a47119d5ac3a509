package money

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// Number is an exact decimal read from a document. It accepts plain numbers
// (2000000, 0.3), strings with thousands separators ("2,000,000",
// "1_000_000") and percentages ("30%" is 0.3). Set tells a value that was
// given (even 0) from one that was left out, so that defaults apply only to
// omitted fields.
//
// Number decodes from YAML scalars and from JSON numbers and strings
// without ever passing through a float.
type Number struct {
	decimal.Decimal
	Set bool
}

// ParseNumber reads a Number from text; a trailing "%" divides by 100.
// Exponents, NaN and infinities are rejected.
func ParseNumber(s string) (Number, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	d, err := ParseAmount(t)
	if err != nil {
		return Number{}, fmt.Errorf("%q is not a decimal number", s)
	}
	if pct {
		d = d.Shift(-2)
	}
	return Number{d, true}, nil
}

// NumberOf wraps an existing decimal as a given Number.
func NumberOf(d decimal.Decimal) Number { return Number{d, true} }

// Or returns n if it was given and def otherwise.
func (n Number) Or(def decimal.Decimal) decimal.Decimal {
	if n.Set {
		return n.Decimal
	}
	return def
}

// UnmarshalYAML implements yaml.Unmarshaler: a scalar as ParseNumber reads
// it, or null for "not given".
func (n *Number) UnmarshalYAML(v *yaml.Node) error {
	var l Literal
	if err := l.UnmarshalYAML(v); err != nil {
		return err
	}
	p, err := l.Number()
	if err != nil {
		return fmt.Errorf("line %d: %w", v.Line, err)
	}
	*n = p
	return nil
}

// UnmarshalJSON implements json.Unmarshaler: a JSON number, a string as
// ParseNumber reads it, or null for "not given".
func (n *Number) UnmarshalJSON(b []byte) error {
	var l Literal
	if err := l.UnmarshalJSON(b); err != nil {
		return err
	}
	p, err := l.Number()
	if err != nil {
		return err
	}
	*n = p
	return nil
}

// MarshalJSON writes the number as a decimal string (null when not given),
// so no JSON reader turns it into a float.
func (n Number) MarshalJSON() ([]byte, error) {
	if !n.Set {
		return []byte("null"), nil
	}
	return json.Marshal(n.String())
}

// Literal is a number exactly as a document wrote it — the text of a YAML
// scalar, of a JSON number or of a JSON string — kept unparsed so that the
// caller decides how to read it (Number, ParseFraction, ParseScaled,
// Parse) and can name the field in its error. Set is false when the value
// was absent or null.
type Literal struct {
	Text string
	Set  bool
}

// UnmarshalYAML implements yaml.Unmarshaler: any scalar, or null for "not
// given"; lists and mappings are errors.
func (l *Literal) UnmarshalYAML(v *yaml.Node) error {
	if v.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a number, got a %s", v.Line, yamlKind(v.Kind))
	}
	if v.Tag == "!!null" {
		*l = Literal{}
		return nil
	}
	*l = Literal{v.Value, true}
	return nil
}

func yamlKind(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}

// UnmarshalJSON implements json.Unmarshaler: a JSON number (its text), a
// string (its contents), or null for "not given".
func (l *Literal) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	switch {
	case s == "null":
		*l = Literal{}
		return nil
	case strings.HasPrefix(s, `"`):
		if err := json.Unmarshal([]byte(s), &s); err != nil {
			return err
		}
	}
	*l = Literal{s, true}
	return nil
}

// Number reads the literal with ParseNumber; an absent literal is the
// zero Number (not Set).
func (l Literal) Number() (Number, error) {
	if !l.Set {
		return Number{}, nil
	}
	return ParseNumber(l.Text)
}

// ParseFraction reads a rate or a share of the whole: "20%" or "0.2" (a
// trailing "%" divides by 100, exactly).
func ParseFraction(s string) (decimal.Decimal, error) {
	t := strings.TrimSpace(s)
	p, pct := strings.CutSuffix(t, "%")
	d, err := ParseAmount(p)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%q is not a fraction (want e.g. 20%% or 0.2)", s)
	}
	if pct {
		d = d.Shift(-2)
	}
	return d, nil
}

// scales are the magnitude suffixes ParseScaled knows, longest match first.
var scales = []struct {
	suffix string
	mult   int64
}{
	{"亿", 100_000_000}, {"万", 10_000},
	{"k", 1_000}, {"K", 1_000},
	{"M", 1_000_000}, {"m", 1_000_000},
	{"B", 1_000_000_000}, {"b", 1_000_000_000}, {"bn", 1_000_000_000},
}

// ParseScaled reads an amount with an optional magnitude suffix: k/K
// (thousand), M/m (million), B/b/bn (billion), 万 (10⁴) or 亿 (10⁸), as in
// "15M", "2.5k" or "3000万"; without a suffix it is ParseAmount.
func ParseScaled(s string) (decimal.Decimal, error) {
	t := strings.TrimSpace(s)
	mult := decimal.NewFromInt(1)
	for _, sc := range scales {
		if rest, ok := strings.CutSuffix(t, sc.suffix); ok {
			t, mult = strings.TrimSpace(rest), decimal.NewFromInt(sc.mult)
			break
		}
	}
	d, err := ParseAmount(t)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return d.Mul(mult), nil
}
