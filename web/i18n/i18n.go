// Package i18n is the dashboard's message catalogue in English and
// Simplified Chinese. Keys are English identifiers; T falls back to
// English, then to the key, so a missing translation shows rather than
// breaks a page (a test checks both columns are filled).
package i18n

import "strings"

// Lang is a user-interface language.
type Lang string

// The languages.
const (
	EN Lang = "en"
	ZH Lang = "zh"
)

// Parse reads "zh", "zh-CN", "en-US"…; anything not Chinese is English.
func Parse(s string) Lang {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "zh") {
		return ZH
	}
	return EN
}

// FromAcceptLanguage picks the first of zh or en in an Accept-Language
// header (English when neither).
func FromAcceptLanguage(h string) Lang {
	for _, part := range strings.Split(h, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(tag)
		switch {
		case strings.HasPrefix(tag, "zh"):
			return ZH
		case strings.HasPrefix(tag, "en"):
			return EN
		}
	}
	return EN
}

// T translates key into lang.
func T(lang Lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == ZH && m[1] != "" {
		return m[1]
	}
	return m[0]
}

// Keys lists every key (for tests).
func Keys() []string {
	ks := make([]string, 0, len(messages))
	for k := range messages {
		ks = append(ks, k)
	}
	return ks
}

// Has reports whether key is in the catalogue.
func Has(key string) bool { _, ok := messages[key]; return ok }

// Pair returns the English and Chinese texts of key.
func Pair(key string) (en, zh string) { m := messages[key]; return m[0], m[1] }

// merge adds a file's messages to the catalogue at init time, so that a
// feature can keep its strings in a file of its own (messages_runs.go).
// A key defined twice is a programming mistake: it panics at startup.
func merge(more map[string][2]string) {
	for k, v := range more {
		if _, dup := messages[k]; dup {
			panic("i18n: message key " + k + " is defined twice")
		}
		messages[k] = v
	}
}
