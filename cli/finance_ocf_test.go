package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
)

const ocfSample = "../finance/ocf/testdata/acme" // hand-written after the OCF 1.2.0 samples

func parseCompanyFile(t *testing.T, path string) *captable.Company {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := captable.Parse(b, false)
	if err != nil {
		t.Fatalf("%s does not parse back: %v\n%s", path, err, b)
	}
	return c
}

func companyJSON(t *testing.T, c *captable.Company) string {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// kaiwu YAML → OCF (zip and folder) → kaiwu YAML gives the same company.
func TestOCFExportImportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	want := parseCompanyFile(t, "testdata/ocf-company.yaml")
	for _, target := range []string{filepath.Join(dir, "galaxy.ocf.zip"), filepath.Join(dir, "galaxy-ocf")} {
		out, _, err := run(t, "finance", "ocf", "export", "-f", "testdata/ocf-company.yaml", "-o", target)
		if err != nil {
			t.Fatalf("export %s: %v", target, err)
		}
		for _, label := range []string{"stakeholders", "option grants", "files written", target} {
			if !strings.Contains(out, label) {
				t.Errorf("export summary lacks %q:\n%s", label, out)
			}
		}
		back := filepath.Join(dir, "back.yaml")
		out, _, err = run(t, "finance", "ocf", "import", target, "-o", back)
		if err != nil {
			t.Fatalf("import %s: %v", target, err)
		}
		if !strings.Contains(out, "星河智能 Galaxy AI") {
			t.Errorf("import summary:\n%s", out)
		}
		if got := parseCompanyFile(t, back); companyJSON(t, got) != companyJSON(t, want) {
			t.Errorf("%s: round trip differs:\n got %s\nwant %s", target, companyJSON(t, got), companyJSON(t, want))
		}
	}
}

// An OCF package imports to a YAML document on standard output that
// captable.Parse reads; unsupported objects are warned about on stderr.
func TestOCFImportToStdout(t *testing.T) {
	out, errOut, err := run(t, "finance", "ocf", "import", ocfSample)
	if err != nil {
		t.Fatal(err)
	}
	c, err := captable.Parse([]byte(out), false)
	if err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, out)
	}
	if c.Name != "Acme AI, Inc." || len(c.Convertibles) != 2 || c.OptionPlan == nil || c.OptionPlan.Grants[0].CliffMonths != 12 {
		t.Errorf("imported %+v", c)
	}
	if !strings.Contains(errOut, "TX_WARRANT_ISSUANCE") {
		t.Errorf("no warrant warning on stderr:\n%s", errOut)
	}
}

func TestOCFJSONAndChinese(t *testing.T) {
	dir := t.TempDir()
	out, _, err := run(t, "--json", "finance", "ocf", "import", ocfSample, "-o", filepath.Join(dir, "acme.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Company      string
		Grants       int
		Convertibles int
		Warnings     []struct{ File, ID, Message string }
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if s.Company != "Acme AI, Inc." || s.Grants != 1 || s.Convertibles != 2 || len(s.Warnings) == 0 || s.Warnings[0].File == "" {
		t.Errorf("summary %+v", s)
	}
	out, _, err = run(t, "--lang", "zh", "finance", "ocf", "export", "-f", "testdata/ocf-company.yaml", "-o", filepath.Join(dir, "x.ocf.zip"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"期权授予", "可转换工具", "写入文件数"} {
		if !strings.Contains(out, want) {
			t.Errorf("Chinese summary lacks %q:\n%s", want, out)
		}
	}
}

func TestOCFCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	os.Mkdir(bad, 0o755)
	os.WriteFile(filepath.Join(bad, "Manifest.ocf.json"), []byte(`{"ocf_version": "1.2.0", "file_type": "OCF_MANIFEST_FILE", "issuer": {"id": "i", "legal_name": "X"}, "as_of": "2024-02-30"}`), 0o644)
	notzip := filepath.Join(dir, "x.ocf.zip")
	os.WriteFile(notzip, []byte("not a zip"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"finance", "ocf", "import", filepath.Join(dir, "missing")}, "missing"},
		{[]string{"finance", "ocf", "import", bad}, `Manifest.ocf.json: as_of: "2024-02-30" is not a date`},
		{[]string{"finance", "ocf", "import", notzip}, "not a folder or a zip archive"},
		{[]string{"finance", "ocf", "import", t.TempDir()}, "Manifest.ocf.json: not found"},
		{[]string{"finance", "ocf", "export", "-f", "testdata/ocf-company.yaml"}, "no output"},
		{[]string{"finance", "ocf", "export", "-f", "testdata/ocf-company.yaml", "-o", filepath.Join(dir, "y"), "--as-of", "soon"}, "--as-of"},
	} {
		_, _, err := run(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}

// captable.Encode writes what captable.Parse reads back, including the cases
// where Parse's defaults differ from Go's zero values.
func TestOCFCompanyYAMLParsesBack(t *testing.T) {
	c := parseCompanyFile(t, "testdata/ocf-company.yaml")
	c.ShareClasses = append(c.ShareClasses, captable.ShareClass{ID: "z", Name: "Zero-preference preferred", Kind: captable.Preferred,
		OriginalIssuePrice: c.ShareClasses[1].OriginalIssuePrice, ConversionRatio: c.ShareClasses[0].ConversionRatio})
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := captable.Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := captable.Parse(b, false)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if companyJSON(t, back) != companyJSON(t, c) {
		t.Errorf("YAML writer round trip differs:\n%s", b)
	}
}
