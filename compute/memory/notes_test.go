package memory

import (
	"slices"
	"testing"

	"github.com/kaiwu-ai/kaiwu/msg"
)

// checkNotes fails unless every note is a catalogue code whose English
// template, filled from the note's Args (which name exactly its
// placeholders), is the note's Text, and texts are the notes' texts.
func checkNotes(t *testing.T, c msg.Catalogue, notes []msg.Note, texts []string) {
	t.Helper()
	if !slices.Equal(msg.Texts(notes), texts) {
		t.Errorf("texts %q differ from the notes' %q", texts, msg.Texts(notes))
	}
	for _, n := range notes {
		if err := c.Check(n); err != nil {
			t.Error(err)
		}
	}
}

func TestNotesCarryCodes(t *testing.T) {
	c, err := Cheapest(Input{Arch: preset(t, "llama-2-70b"), GPU: gpu(t, "a100"), Seq: 4096, MicroBatch: 1}, 256)
	if err != nil {
		t.Fatal(err)
	}
	checkNotes(t, Notes, c.WhyDetails, c.Why)
	if len(c.WhyDetails) < 3 || c.WhyDetails[0].Code != WhyFit || c.WhyDetails[len(c.WhyDetails)-1].Code != WhyPerGPU {
		t.Errorf("why %+v", c.WhyDetails)
	}
	b, err := Plan(Input{Arch: preset(t, "llama-2-7b"), GPU: gpu(t, "h100"), GPUs: 16, Seq: 4096, MicroBatch: 1,
		Layout: Layout{TP: 16, ZeRO: 1}})
	if err != nil {
		t.Fatal(err)
	}
	checkNotes(t, Notes, b.NoteDetails, b.Notes)
	if len(b.NoteDetails) != 2 || b.NoteDetails[0].Code != NoteTPSpansNodes || b.NoteDetails[1].Code != NoteZeRONoDP {
		t.Errorf("notes %+v", b.NoteDetails)
	}
	if want := "tp 16 spans nodes (8 GPUs per node): tensor parallelism across the network is slow"; b.Notes[0] != want {
		t.Errorf("English note %q, want %q", b.Notes[0], want)
	}
}
