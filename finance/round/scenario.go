package round

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
)

// Stage is one round of a scenario and the cap table after it.
type Stage struct {
	Round  string  `json:"round"`
	Result *Result `json:"result"`
}

// Path is a holder's fully diluted ownership (percent) at the start and
// after each stage.
type Path struct {
	Stakeholder string            `json:"stakeholder"`
	Name        string            `json:"name"`
	Points      []decimal.Decimal `json:"points"`
}

// ScenarioResult is a sequence of rounds applied in order.
type ScenarioResult struct {
	Name    string          `json:"name"`
	Initial *captable.Table `json:"initial"`
	Stages  []Stage         `json:"stages"`
	// Labels name the points of every path: "start", then each round.
	Labels []string `json:"labels"`
	// Founders is each founder's ownership path (every initial holder's
	// when the document marks no founder).
	Founders []Path `json:"founders"`
	// Final is the company after the last round.
	Final *captable.Company `json:"-"`
}

// Scenario applies rounds to c in sequence (seed → A → B), each to the
// previous round's result.
func Scenario(c *captable.Company, name string, rounds []RoundTerms) (*ScenarioResult, error) {
	if len(rounds) == 0 {
		return nil, fmt.Errorf("scenario %s: no rounds", name)
	}
	init, err := c.Compute(captable.Options{})
	if err != nil {
		return nil, err
	}
	sr := &ScenarioResult{Name: name, Initial: init, Labels: []string{"start"}}
	var ids []string
	for _, s := range c.Stakeholders {
		if s.Kind == captable.Founder {
			ids = append(ids, s.ID)
		}
	}
	if len(ids) == 0 {
		for _, h := range init.Holders {
			ids = append(ids, h.Stakeholder)
		}
	}
	at := func(t *captable.Table, id string) decimal.Decimal {
		for _, h := range t.Holders {
			if h.Stakeholder == id {
				return h.FullyDilutedPct
			}
		}
		return decimal.Zero
	}
	for _, id := range ids {
		sr.Founders = append(sr.Founders, Path{Stakeholder: id, Name: c.Stakeholder(id).Name, Points: []decimal.Decimal{at(init, id)}})
	}
	cur := c
	for i, t := range rounds {
		r, err := Apply(cur, t)
		if err != nil {
			return nil, fmt.Errorf("scenario %s: stage %d: %w", name, i+1, err)
		}
		sr.Stages = append(sr.Stages, Stage{Round: r.Round, Result: r})
		sr.Labels = append(sr.Labels, r.Round)
		for k := range sr.Founders {
			sr.Founders[k].Points = append(sr.Founders[k].Points, at(r.After, sr.Founders[k].Stakeholder))
		}
		cur = r.Company
	}
	sr.Final = cur
	return sr, nil
}

// DocumentScenario runs the scenario named name from the company document.
func DocumentScenario(c *captable.Company, name string) (*ScenarioResult, error) {
	for _, s := range c.Scenarios {
		if s.Name != name {
			continue
		}
		var terms []RoundTerms
		for _, spec := range s.Rounds {
			t, err := FromSpec(spec)
			if err != nil {
				return nil, fmt.Errorf("scenario %s: %w", name, err)
			}
			terms = append(terms, t)
		}
		return Scenario(c, name, terms)
	}
	var names []string
	for _, s := range c.Scenarios {
		names = append(names, s.Name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("scenario %q: the document describes no scenarios", name)
	}
	return nil, fmt.Errorf("scenario %q: not in the document (it has %q)", name, names)
}
