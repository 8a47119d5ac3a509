package recipes

import (
	"bytes"
	"os"
	"testing"
)

// TestHousingCSVIsGenerated checks that the shipped CSV is exactly what
// GenerateHousing(2000, 7) writes. KAIWU_REGENERATE=1 rewrites it.
func TestHousingCSVIsGenerated(t *testing.T) {
	want := GenerateHousing(2000, 7)
	if os.Getenv("KAIWU_REGENERATE") == "1" {
		if err := os.WriteFile("testdata/housing.csv", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(HousingCSV, want) {
		t.Fatalf("testdata/housing.csv differs from GenerateHousing(2000, 7); rerun with KAIWU_REGENERATE=1")
	}
}
