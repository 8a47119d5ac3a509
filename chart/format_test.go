package chart

import (
	"math"
	"testing"

	"github.com/shopspring/decimal"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		v    float64
		unit Unit
		lang string
		want string
	}{
		// Chinese: 万, 亿, 万亿.
		{1.2e8, CNY, "zh", "¥1.2亿"},
		{3.5e7, CNY, "zh-CN", "¥3,500万"},
		{12345678, CNY, "zh", "¥1,235万"},
		{3500, Plain, "zh", "3,500"},
		{12345, Plain, "zh", "1.23万"},
		{99996000, CNY, "zh", "¥1亿"}, // 9,999.6万 rounds up into 亿
		{1.5e12, Plain, "zh", "1.5万亿"},
		{1e16, Plain, "zh", "1e16"},
		{-2e6, CNY, "zh", "-¥200万"},
		{5.2e8, USD, "zh-Hans", "$5.2亿"},
		// English: K, M, B, T.
		{1.2e8, USD, "en", "$120M"},
		{3500, Plain, "en", "3.5K"},
		{999950, Plain, "en", "1M"}, // 999.95K rounds up into M
		{2.5e9, USD, "en-US", "$2.5B"},
		{1e15, Plain, "en", "1e15"},
		{-2e6, CNY, "en", "-¥2M"},
		{999, Plain, "", "999"},
		// Money below a thousand keeps cents.
		{0.15, USD, "en", "$0.15"},
		{3.5, USD, "en", "$3.50"},
		{12, USD, "en", "$12"},
		{0.004, USD, "en", "$0.004"},
		{0, CNY, "zh", "¥0"},
		{-0.0000001, USD, "en", "-$0.0000001"},
		// Small plain numbers keep three significant digits.
		{0.1 + 0.2, Plain, "en", "0.3"},
		{0.012345, Plain, "en", "0.0123"},
		{1e-12, Plain, "en", "1e-12"},
		// Percent and scientific.
		{0.253, Percent, "en", "25.3%"},
		{1, Percent, "zh", "100%"},
		{0.001234, Percent, "en", "0.123%"},
		{-0.001, Percent, "en", "-0.1%"},
		{5.76e23, Sci, "en", "5.76e23"},
		{6e23, Sci, "zh", "6e23"},
		{0.5, Sci, "en", "5e-1"},
		// Non-finite.
		{math.NaN(), USD, "en", "–"},
		{math.Inf(1), Plain, "en", "∞"},
		{math.Inf(-1), Plain, "zh", "-∞"},
	}
	for _, tt := range tests {
		if got := Format(tt.v, tt.unit, tt.lang); got != tt.want {
			t.Errorf("Format(%v, %d, %q) = %q, want %q", tt.v, tt.unit, tt.lang, got, tt.want)
		}
	}
}

func TestFormatDecimalExact(t *testing.T) {
	// Decimals are scaled and rounded exactly, half away from zero; the
	// float64 nearest 1.005 is 1.00499…, which would round down.
	d := decimal.RequireFromString("12345")
	if got := FormatDecimal(d, CNY, "zh"); got != "¥1.23万" {
		t.Errorf("got %q", got)
	}
	if got := FormatDecimal(decimal.RequireFromString("1.005"), USD, "en"); got != "$1.01" {
		t.Errorf("1.005 USD: got %q, want $1.01 (float64 1.005 is 1.00499…)", got)
	}
	if got := FormatDecimal(decimal.RequireFromString("123456789012345678901234.5"), Sci, "en"); got != "1.23e23" {
		t.Errorf("huge: got %q", got)
	}
}

func TestFormatAmount(t *testing.T) {
	tests := []struct {
		in, lang string
		unit     Unit
		want     string
		err      bool
	}{
		{"1,234,567.89", "en", USD, "$1.23M", false},
		{"-35000000", "zh", CNY, "-¥3,500万", false},
		{" 1_000 ", "zh", Plain, "1,000", false},
		{"0.30", "en", Percent, "30%", false},
		{"abc", "en", USD, "", true},
		{"1e5", "en", USD, "", true},
		{"", "en", USD, "", true},
		{"NaN", "en", USD, "", true},
	}
	for _, tt := range tests {
		got, err := FormatAmount(tt.in, tt.unit, tt.lang)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("FormatAmount(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestIsChinese(t *testing.T) {
	for lang, want := range map[string]bool{"zh": true, "zh-CN": true, "ZH-hans": true, "en": false, "": false, "fr": false} {
		if IsChinese(lang) != want {
			t.Errorf("IsChinese(%q) = %v", lang, !want)
		}
	}
}
