package train

import (
	"testing"

	"github.com/kaiwu-ai/kaiwu/msg"
)

// checkNote fails unless n is a catalogue code whose English template,
// filled from n's Args (which name exactly its placeholders), is n's Text.
func checkNote(t *testing.T, n msg.Note) {
	t.Helper()
	if err := Notes.Check(n); err != nil {
		t.Error(err)
	}
}

// Labels, model descriptions and kaiwu's own defaults carry codes whose
// English is the plan's text, unchanged from before codes.
func TestNotesCarryCodes(t *testing.T) {
	named := preset(t, "llama-2-7b")
	for _, tc := range []struct {
		in                    Input
		label, model, modelID string
	}{
		{Input{Arch: named, GPU: "h100", GPUs: 64}, "training llama-2-7b on 64× h100-sxm", "llama-2-7b", ""},
		{Input{Params: 7e9, GPU: "h100", GPUs: 8}, "training 7B parameters on 8× h100-sxm", "7B parameters", ModelParams},
		{Input{Params: 671e9, ActiveParams: 37e9, GPU: "h800", GPUs: 2048}, "training 671B parameters (37B active) on 2048× h800",
			"671B parameters (37B active)", ModelParamsActive},
	} {
		p, err := New(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		checkNote(t, p.LabelDetail)
		if p.Label != tc.label || p.LabelDetail.Text != p.Label || p.Model != tc.model {
			t.Errorf("label %q model %q, want %q %q", p.Label, p.Model, tc.label, tc.model)
		}
		switch {
		case tc.modelID == "" && p.ModelDetail != nil:
			t.Errorf("%s: model detail %+v for a named model", tc.model, p.ModelDetail)
		case tc.modelID != "" && (p.ModelDetail == nil || p.ModelDetail.Code != tc.modelID || p.ModelDetail.Text != p.Model):
			t.Errorf("%s: model detail %+v", tc.model, p.ModelDetail)
		case p.ModelDetail != nil:
			checkNote(t, *p.ModelDetail)
		}
		s, err := p.Schedule("2027-01")
		if err != nil {
			t.Fatal(err)
		}
		if s[0].LabelDetail.Code != p.LabelDetail.Code || s[0].Label != p.Label {
			t.Errorf("schedule label %+v", s[0])
		}
		for _, d := range p.Defaults {
			if d.ValueDetail != nil {
				checkNote(t, *d.ValueDetail)
				if d.ValueDetail.Text != d.Value {
					t.Errorf("%s: value %q, detail %q", d.Field, d.Value, d.ValueDetail.Text)
				}
			}
			if d.SourceDetail != nil {
				checkNote(t, *d.SourceDetail)
				if d.SourceDetail.Text != d.Source {
					t.Errorf("%s: source %q, detail %q", d.Field, d.Source, d.SourceDetail.Text)
				}
			}
		}
	}
	p, err := New(Input{Arch: named, GPU: "h100", GPUs: 64})
	if err != nil {
		t.Fatal(err)
	}
	byField := map[string]Default{}
	for _, d := range p.Defaults {
		byField[d.Field] = d
	}
	if d := byField["tokens"]; d.ValueDetail == nil || d.ValueDetail.Code != ValueTokens || d.SourceDetail == nil || d.SourceDetail.Code != SourceChinchilla {
		t.Errorf("tokens default %+v", d)
	}
	if d := byField["price"]; d.ValueDetail == nil || d.Value != p.PricePerGPUHour.String()+" per GPU-hour" || d.SourceDetail != nil {
		t.Errorf("price default %+v", d)
	}
	if d := byField["mfu"]; d.ValueDetail != nil || d.SourceDetail != nil {
		t.Errorf("catalogue mfu default has details: %+v", d)
	}
	if Notes[NoteEnergyExcludes] != p.EnergyExcludes {
		t.Error("energy-excludes differs from Plan.EnergyExcludes")
	}
}
