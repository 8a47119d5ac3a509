package money

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0", "0"},
		{"2000000", "2000000"},
		{"0.3", "0.3"},
		{"30%", "0.3"},
		{"12.5 %", "0.125"},
		{"-20%", "-0.2"},
		{"0.000000000000000001%", "0.00000000000000000001"}, // exact, not rounded
		{"1,234.5", "1234.5"},
		{"2_000", "2000"},
		{"1_000_000", "1000000"},
		{" -7 ", "-7"},
	} {
		n, err := ParseNumber(tc.in)
		if err != nil || !n.Set || !n.Equal(dec(tc.want)) {
			t.Errorf("ParseNumber(%q) = %v, %v; want %s", tc.in, n, err, tc.want)
		}
	}
	for _, bad := range []string{"", " ", "%", "abc", "1e3", "1E3", "NaN", "Inf", "-inf", "15M", "$1", "1 2"} {
		_, err := ParseNumber(bad)
		if want := `"` + bad + `" is not a decimal number`; err == nil || !strings.Contains(err.Error(), "is not a decimal number") {
			t.Errorf("ParseNumber(%q) = %v; want %s", bad, err, want)
		}
	}
}

func TestNumberOr(t *testing.T) {
	def := dec("0.25")
	if got := (Number{}).Or(def); !got.Equal(def) {
		t.Errorf("unset Or = %s", got)
	}
	if got := NumberOf(decimal.Zero).Or(def); !got.IsZero() {
		t.Errorf("given 0 Or = %s, want 0 (a given zero is not a default)", got)
	}
}

func TestParseFraction(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"20%", "0.2"}, {"0.2", "0.2"}, {" 7.5 % ", "0.075"}, {"100%", "1"}, {"1,000%", "10"}, {"-5%", "-0.05"},
	} {
		d, err := ParseFraction(tc.in)
		if err != nil || !d.Equal(dec(tc.want)) {
			t.Errorf("ParseFraction(%q) = %s, %v; want %s", tc.in, d, err, tc.want)
		}
	}
	for _, bad := range []string{"", "%", "twenty", "2e-1", "20%%", "15M"} {
		_, err := ParseFraction(bad)
		if want := `"` + bad + `" is not a fraction (want e.g. 20% or 0.2)`; err == nil || err.Error() != want {
			t.Errorf("ParseFraction(%q) = %v; want %s", bad, err, want)
		}
	}
}

func TestParseScaled(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2500000", "2500000"},
		{"2,500,000", "2500000"},
		{"15M", "15000000"},
		{"2.5m", "2500000"},
		{"250k", "250000"},
		{"1.5K", "1500"},
		{"2B", "2000000000"},
		{"0.5b", "500000000"},
		{"3000万", "30000000"},
		{"1.2亿", "120000000"},
		{" 15 M ", "15000000"},
	} {
		d, err := ParseScaled(tc.in)
		if err != nil || !d.Equal(dec(tc.want)) {
			t.Errorf("ParseScaled(%q) = %s, %v; want %s", tc.in, d, err, tc.want)
		}
	}
	for _, bad := range []string{"", "M", "1e6", "$1,000", "1000 USD", "15MM", "20%"} {
		if d, err := ParseScaled(bad); err == nil {
			t.Errorf("ParseScaled(%q) = %s, want an error", bad, d)
		}
	}
}

func TestLiteralDecoding(t *testing.T) {
	var doc struct {
		A, B, C, D, E Literal
	}
	if err := yaml.Unmarshal([]byte("a: 1_000_000\nb: \"30%\"\nc: ~\nd: 1e6\n"), &doc); err != nil {
		t.Fatal(err)
	}
	want := [5]Literal{{"1_000_000", true}, {"30%", true}, {}, {"1e6", true}, {}}
	if got := [5]Literal{doc.A, doc.B, doc.C, doc.D, doc.E}; got != want {
		t.Errorf("YAML literals %v, want %v", got, want)
	}
	doc.A, doc.B, doc.C, doc.D, doc.E = Literal{}, Literal{}, Literal{}, Literal{}, Literal{}
	if err := json.Unmarshal([]byte(`{"a": 12345678901234567890.123456789, "b": "2,000", "c": null, "d": "\u4e07"}`), &doc); err != nil {
		t.Fatal(err)
	}
	want = [5]Literal{{"12345678901234567890.123456789", true}, {"2,000", true}, {}, {"万", true}, {}}
	if got := [5]Literal{doc.A, doc.B, doc.C, doc.D, doc.E}; got != want {
		t.Errorf("JSON literals %v, want %v", got, want)
	}
	for _, tc := range []struct{ doc, want string }{
		{"a: [1]", "line 1: want a number, got a list"},
		{"x: 1\na: {b: 1}", "line 2: want a number, got a mapping"},
	} {
		var d struct{ A Literal }
		if err := yaml.Unmarshal([]byte(tc.doc), &d); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("YAML %q: %v, want %s", tc.doc, err, tc.want)
		}
	}
}

func TestNumberDecoding(t *testing.T) {
	var doc struct {
		Rate, Amount, Big, Absent, Zero Number
	}
	if err := yaml.Unmarshal([]byte("rate: 30%\namount: 2,000,000\nbig: 0.1000000000000000055511151231257827\nzero: 0\nabsent: null\n"), &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.Rate.Equal(dec("0.3")) || !doc.Amount.Equal(dec("2000000")) || doc.Big.String() != "0.1000000000000000055511151231257827" ||
		doc.Absent.Set || !doc.Zero.Set || !doc.Zero.IsZero() {
		t.Errorf("YAML numbers %+v", doc)
	}
	doc = struct{ Rate, Amount, Big, Absent, Zero Number }{}
	if err := json.Unmarshal([]byte(`{"rate":"12.5%","amount":2000000,"big":12345678901234567890.1,"absent":null,"zero":"0"}`), &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.Rate.Equal(dec("0.125")) || !doc.Amount.Equal(dec("2000000")) || doc.Big.String() != "12345678901234567890.1" ||
		doc.Absent.Set || !doc.Zero.Set {
		t.Errorf("JSON numbers %+v", doc)
	}
	for _, tc := range []struct {
		doc    string
		isJSON bool
		want   string
	}{
		{"x: 1\nn: 1e6", false, `line 2: "1e6" is not a decimal number`},
		{"n: [1]", false, "line 1: want a number, got a list"},
		{"n: 15M", false, `line 1: "15M" is not a decimal number`},
		{`{"n": 1e6}`, true, `"1e6" is not a decimal number`},
		{`{"n": "abc"}`, true, `"abc" is not a decimal number`},
		{`{"n": [1]}`, true, `"[1]" is not a decimal number`},
	} {
		var d struct{ N Number }
		var err error
		if tc.isJSON {
			err = json.Unmarshal([]byte(tc.doc), &d)
		} else {
			err = yaml.Unmarshal([]byte(tc.doc), &d)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %s", tc.doc, err, tc.want)
		}
	}
}

func TestNumberMarshalJSON(t *testing.T) {
	b, err := json.Marshal([]Number{{}, NumberOf(dec("0.30")), NumberOf(dec("-1234567890123456789.5"))})
	if err != nil || string(b) != `[null,"0.3","-1234567890123456789.5"]` {
		t.Fatalf("MarshalJSON = %s, %v", b, err)
	}
	var back []Number
	if err := json.Unmarshal(b, &back); err != nil || back[0].Set || !back[2].Equal(dec("-1234567890123456789.5")) {
		t.Fatalf("round trip %v, %v", back, err)
	}
}

// FuzzNumber: no input makes the parsers panic, and every accepted Number
// reads back equal from its own text and through JSON.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"0", "30%", "12.5 %", "2,000,000", "1_000_000", "-7", "1e3", "%", "15M", "3000万", "1.2亿", "$1,000", "NaN", ".5", "5."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseFraction(s)
		_, _ = ParseScaled(s)
		var l Literal
		_ = l.UnmarshalJSON([]byte(s))
		n, err := ParseNumber(s)
		if err != nil {
			return
		}
		back, err := ParseNumber(n.String())
		if err != nil || !back.Equal(n.Decimal) {
			t.Fatalf("%q parsed to %s, which reads back as %v, %v", s, n, back, err)
		}
		b, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		var j Number
		if err := json.Unmarshal(b, &j); err != nil || !j.Set || !j.Equal(n.Decimal) {
			t.Fatalf("%q: JSON %s reads back as %v, %v", s, b, j, err)
		}
	})
}
