package ocf

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// origin locates an object in the package, for errors and warnings.
type origin struct {
	file, id, typ string
}

func (o origin) err(field, format string, args ...any) *Error {
	return &Error{File: o.file, ID: o.id, ObjectType: o.typ, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func (o origin) warn(field, format string, args ...any) Warning {
	return Warning{File: o.file, ID: o.id, ObjectType: o.typ, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Schema patterns: types/Numeric, types/Percentage, types/CurrencyCode.
var (
	numericRE  = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]{1,10})?$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// maxNumericLen bounds a Numeric string; no cap table needs more digits.
const maxNumericLen = 40

// numeric reads an OCF Numeric: a fixed-point string with at most ten
// decimals ("1000", "+10000000.00", "0.0001").
func (o origin) numeric(field, s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Decimal{}, o.err(field, "required (a numeric string such as \"1000.00\")")
	}
	if len(s) > maxNumericLen {
		return decimal.Decimal{}, o.err(field, "%.20q… is too long for a number", s)
	}
	if !numericRE.MatchString(s) {
		return decimal.Decimal{}, o.err(field, "%q is not an OCF Numeric (a decimal string with at most 10 decimals, e.g. \"1000.00\")", s)
	}
	d, err := decimal.NewFromString(strings.TrimPrefix(s, "+"))
	if err != nil {
		return decimal.Decimal{}, o.err(field, "%q is not a number", s)
	}
	return d, nil
}

// optNumeric reads a Numeric that may be absent (nil).
func (o origin) optNumeric(field string, p *string) (decimal.Decimal, bool, error) {
	if p == nil {
		return decimal.Decimal{}, false, nil
	}
	d, err := o.numeric(field, *p)
	return d, err == nil, err
}

// positive reads a required Numeric that must be > 0.
func (o origin) positive(field string, p *string) (decimal.Decimal, error) {
	if p == nil {
		return decimal.Decimal{}, o.err(field, "required")
	}
	d, err := o.numeric(field, *p)
	if err != nil {
		return d, err
	}
	if !d.IsPositive() {
		return d, o.err(field, "must be > 0 (got %s)", *p)
	}
	return d, nil
}

// percentage reads an OCF Percentage: a decimal in [0, 1].
func (o origin) percentage(field, s string) (decimal.Decimal, error) {
	d, err := o.numeric(field, s)
	if err != nil {
		return d, err
	}
	if d.IsNegative() || d.GreaterThan(decimal.NewFromInt(1)) {
		return d, o.err(field, "%q is not an OCF Percentage (a decimal between 0 and 1, e.g. \"0.2\" for 20%%)", s)
	}
	return d, nil
}

// date reads a required ISO 8601 calendar date, YYYY-MM-DD.
func (o origin) date(field, s string) (captable.Date, error) {
	if s == "" {
		return captable.Date{}, o.err(field, "required (YYYY-MM-DD)")
	}
	d, err := captable.ParseDate(s)
	if err != nil {
		return captable.Date{}, o.err(field, "%q is not a date (want YYYY-MM-DD)", s)
	}
	return d, nil
}

// enum checks that s is one of the allowed values.
func (o origin) enum(field, s string, allowed ...string) error {
	if s == "" {
		return o.err(field, "required (one of %s)", strings.Join(allowed, ", "))
	}
	for _, a := range allowed {
		if s == a {
			return nil
		}
	}
	return o.err(field, "%q is not one of %s", s, strings.Join(allowed, ", "))
}

// money reads a Monetary {"amount", "currency"}; every amount must be in
// the package's one currency (kaiwu keeps one currency per company), which
// the first amount read fixes.
func (im *importer) money(o origin, field string, m *monetary) (decimal.Decimal, error) {
	if m == nil {
		return decimal.Decimal{}, o.err(field, "required ({\"amount\": \"…\", \"currency\": \"USD\"})")
	}
	if !currencyRE.MatchString(m.Currency) {
		return decimal.Decimal{}, o.err(field+".currency", "%q is not an ISO 4217 currency code (three capital letters, e.g. USD)", m.Currency)
	}
	d, err := o.numeric(field+".amount", m.Amount)
	if err != nil {
		return d, err
	}
	cur := money.Currency(m.Currency)
	switch {
	case im.cur == "":
		im.cur, im.curFrom = cur, o
	case cur != im.cur:
		return d, o.err(field+".currency", "%s differs from the package currency %s (first used by %s); kaiwu keeps one currency per company",
			cur, im.cur, describe(im.curFrom))
	}
	return d, nil
}

func describe(o origin) string {
	if o.id != "" {
		return fmt.Sprintf("%s object %q", o.file, o.id)
	}
	return o.file
}

// decodeError turns a JSON decoding error into an *Error naming the field.
func (o origin) decodeError(err error) *Error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return o.err(te.Field, "got a JSON %s, want %s", te.Value, jsonKind(te.Type))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return o.err("", "invalid JSON at byte %d: %v", se.Offset, se)
	}
	return o.err("", "invalid JSON: %v", err)
}

func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "an integer"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.String()
}

// hasComment reports whether an object's comments hold the marker.
func hasComment(comments []string, marker string) bool {
	for _, c := range comments {
		if strings.TrimSpace(c) == marker {
			return true
		}
	}
	return false
}
