package channel

import (
	"os"
	"testing"
)

// FuzzLoad: a user's override document is merged into the defaults or
// rejected with an error; never a panic, never an invalid channel list.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"channels-override.yaml", "channels-bad.yaml"} {
		if b, err := os.ReadFile("../../cli/testdata/" + name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("channels:\n  - id: angel\n    speed_months: -3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := Load(data)
		if err != nil {
			return
		}
		if err := Validate(cs); err != nil {
			t.Fatalf("Load accepted channels that Validate rejects: %v", err)
		}
	})
}
