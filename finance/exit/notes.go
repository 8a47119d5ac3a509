package exit

import "github.com/kaiwu-ai/kaiwu/msg"

// The codes of FromCompany's notes. Each note's Args hold the values its
// template names; "where" is always the place in the company document
// ("convertibles[1] (angel-2)"), and the instrument's or class's id is
// given on its own too ("safe", "note", "class").
const (
	// NoteClassNoShares: a share class without outstanding shares is left
	// out. Args: where, class.
	NoteClassNoShares = "class-no-shares"
	// NoteOptionsUnvested: unvested options are counted in full. Args:
	// unvested (count), date.
	NoteOptionsUnvested = "options-unvested"
	// NoteSAFEUncappedDiscount: an uncapped SAFE with a discount is taken
	// at its cash-out amount, which understates it. Args: where, safe,
	// discount (percent), amount, worth.
	NoteSAFEUncappedDiscount = "safe-uncapped-discount"
	// NoteSAFEUncapped: an uncapped SAFE is taken at its cash-out amount.
	// Args: where, safe, amount.
	NoteSAFEUncapped = "safe-uncapped"
	// NoteSAFEPreMoney: a pre-money SAFE is mapped to a post-money cap.
	// Args: where, safe, cap, post_cap.
	NoteSAFEPreMoney = "safe-premoney-approx"
	// NoteNoExitDate: no exit date, so a note accrues no interest. Args:
	// where, note, principal.
	NoteNoExitDate = "note-no-exit-date"
	// NoteNoteAsDebt: a convertible note is repaid as debt, without a
	// premium. Args: where, note, principal, interest, total.
	NoteNoteAsDebt = "note-repaid-as-debt"
	// NoteMFNAdopts: an MFN SAFE adopts a later SAFE's terms. Args: where,
	// safe, from (the later SAFE), type, cap.
	NoteMFNAdopts = "safe-mfn-adopts"
)

// Notes holds the English template of every note code; an edge's
// catalogue translates the same templates (its tests iterate
// Notes.Codes()).
var Notes = msg.Catalogue{
	NoteClassNoShares:   "{where} has no outstanding shares and takes no part in the waterfall.",
	NoteOptionsUnvested: "option_plan: {unvested} granted options are unvested on {date}; they are counted in full, as if the acquirer assumed or accelerated them (if they lapsed at the sale, everyone else would take more).",
	NoteSAFEUncappedDiscount: "{where}: uncapped SAFE with a {discount}% discount: taken at its cash-out amount {amount}; " +
		"its conversion at a discount to fair market value (worth about {worth}) is not modelled, so this holder is understated.",
	NoteSAFEUncapped: "{where}: uncapped SAFE: taken at its cash-out amount {amount} (converting at fair market value would be worth the same).",
	NoteSAFEPreMoney: "{where}: pre-money SAFE with cap {cap} mapped to a post-money cap of {post_cap} (cap + amount): " +
		"exact when it is the only SAFE converting, approximate when others convert too (a pre-money safe's Liquidity Capitalization excludes them).",
	NoteNoExitDate: "{where}: no exit date given, so no interest is accrued: the note is repaid at its principal {principal}.",
	NoteNoteAsDebt: "{where}: convertible note repaid as debt before equity: principal {principal} + interest {interest} = {total}. " +
		"At a sale before conversion a note is typically repaid, often with a premium or an option to convert at its cap; the document records neither, so none is applied.",
	NoteMFNAdopts: "{where}: MFN SAFE adopts the terms of the later {from} ({type}, cap {cap}), the lowest later cap, as its holder would elect before a sale.",
}
