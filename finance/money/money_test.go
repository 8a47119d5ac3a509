package money

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"1234.50 USD", "$1,234.50"},
		{"USD 1,234.5", "$1,234.50"},
		{"$1,000,000", "$1,000,000.00"},
		{"¥1000", "¥1,000.00"},
		{"￥ 2_500", "¥2,500.00"},
		{"100 RMB", "¥100.00"},
		{"-5 cny", "-¥5.00"},
		{"7 EUR", "EUR 7.00"},
	} {
		m, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if m.String() != tc.want {
			t.Errorf("Parse(%q) = %s, want %s", tc.in, m, tc.want)
		}
	}
	for _, bad := range []string{"", "1000", "1e6 USD", "NaN USD", "abc USD", "10 dollars", "1 2 3"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted bad input", bad)
		}
	}
}

func TestArithmeticKeepsCurrencies(t *testing.T) {
	a := New(decimal.RequireFromString("0.1"), USD)
	b := New(decimal.RequireFromString("0.2"), USD)
	s, err := a.Add(b)
	if err != nil || !s.Amount.Equal(decimal.RequireFromString("0.3")) {
		t.Fatalf("0.1 + 0.2 = %v, %v; want exactly 0.3", s.Amount, err)
	}
	if _, err := a.Add(New(decimal.NewFromInt(1), CNY)); err == nil || !strings.Contains(err.Error(), "CNY") {
		t.Fatalf("adding CNY to USD: %v", err)
	}
	if _, err := a.Sub(New(decimal.NewFromInt(1), CNY)); err == nil {
		t.Fatal("subtracting CNY from USD accepted")
	}
	if r := New(decimal.RequireFromString("2.345"), USD).Round(); r.String() != "$2.35" {
		t.Fatalf("round half away from zero: %s", r)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	m := New(decimal.RequireFromString("12345678901234567890.12"), CNY)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"amount":"12345678901234567890.12","currency":"CNY"}` {
		t.Fatalf("JSON %s", b)
	}
	var back Money
	if err := json.Unmarshal(b, &back); err != nil || !back.Amount.Equal(m.Amount) || back.Currency != CNY {
		t.Fatalf("round trip: %v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"amount":"x","currency":"USD"}`), &back); err == nil {
		t.Fatal("bad amount accepted")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1 USD", "$1,000", "¥", "USD", "1,,2 CNY", "-0 USD"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Parse(s)
		if err != nil {
			return
		}
		back, err := Parse(m.Amount.String() + " " + string(m.Currency))
		if err != nil || !back.Amount.Equal(m.Amount) {
			t.Fatalf("%q parsed to %v, which does not parse back: %v", s, m, err)
		}
	})
}

func ExampleParse() {
	m, _ := Parse("$1,250,000")
	fee, _ := Parse("USD 0.10")
	total, _ := m.Add(fee)
	fmt.Println(total)
	// Output: $1,250,000.10
}

func TestParseScaledAndIn(t *testing.T) {
	for _, tc := range []struct {
		in   string
		def  Currency
		want string
	}{
		{"$10M", USD, "$10,000,000.00"},
		{"¥5000万", USD, "¥50,000,000.00"},
		{"2.5k USD", CNY, "$2,500.00"},
		{"1.2亿", CNY, "¥120,000,000.00"},
		{"2bn", USD, "$2,000,000,000.00"},
		{"14", CNY, "¥14.00"},
		{"USD 3M", CNY, "$3,000,000.00"},
	} {
		m, err := ParseIn(tc.in, tc.def)
		if err != nil || m.String() != tc.want {
			t.Errorf("ParseIn(%q, %s) = %v, %v; want %s", tc.in, tc.def, m, err, tc.want)
		}
	}
	for _, bad := range []string{"RMB", "10 dollars", "M", "$", "1e3"} {
		if m, err := ParseIn(bad, USD); err == nil {
			t.Errorf("ParseIn(%q) accepted bad input as %v", bad, m)
		}
	}
}
