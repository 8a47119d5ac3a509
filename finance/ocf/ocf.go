// Package ocf converts kaiwu's company document (package captable) to and
// from the Open Cap Table Format, the Open Cap Table Coalition's JSON
// interchange standard for capitalization tables
// (https://github.com/Open-Cap-Table-Coalition/Open-Cap-Format-OCF).
//
// An OCF package is a folder or a zip archive (".ocf.zip") holding a
// manifest (Manifest.ocf.json, file_type OCF_MANIFEST_FILE) that names the
// package's other files: stakeholders, stock classes, stock plans, vesting
// terms and transactions, each a JSON object {"file_type": …, "items":
// […]}. Import reads such a package into a captable.Company; Export writes
// a company as one. The mapping, field for field, and what OCF cannot carry
// are documented in docs/formats/finance-ocf.md.
//
// The package follows OCF schema version 1.2.0 (the "v1.x" schema tree:
// conversion mechanisms keyed by "type", vesting periods with
// "occurrences"); on import it also accepts the legacy names found in the
// coalition's older samples ("mechanism_type", "repetitions",
// TX_PLAN_SECURITY_* transactions).
//
// Import never panics on hostile input: sizes are bounded (Limits), every
// value it reads is checked against the schema's rules (required fields,
// enumerations, Numeric and Percentage strings, YYYY-MM-DD dates, ISO 4217
// currency codes, unique ids), and every error names the file, the object
// id, the object type and the field, as an *Error.
package ocf

import (
	"fmt"
	"strings"
)

// Version is the OCF schema version Export writes in the manifest's
// ocf_version.
const Version = "1.2.0"

// ManifestName is the manifest's file name in a package written by Export;
// Import finds a manifest of this name case-insensitively at the package
// root or inside a single top-level folder.
const ManifestName = "Manifest.ocf.json"

// Limits bound what Import reads, so that an oversized or hostile package
// (a zip bomb, a manifest listing thousands of files) is rejected before
// it exhausts memory.
type Limits struct {
	// MaxFiles is the most files a manifest may list.
	MaxFiles int
	// MaxFileBytes is the largest (uncompressed) file Import reads.
	MaxFileBytes int64
	// MaxTotalBytes bounds all files together.
	MaxTotalBytes int64
}

// DefaultLimits are the limits Import applies.
var DefaultLimits = Limits{MaxFiles: 256, MaxFileBytes: 32 << 20, MaxTotalBytes: 128 << 20}

// Error is an invalid OCF package: File is the package file, ID and
// ObjectType the object (empty for file-level problems), Field the JSON
// field (dotted, with indices: "conversion_triggers[0].type").
type Error struct {
	File       string
	ID         string
	ObjectType string
	Field      string
	Msg        string
}

// Error formats as `Transactions.ocf.json: object "tx-17" (TX_STOCK_ISSUANCE):
// stock_class_id: "pref-b" is not a stock class`.
func (e *Error) Error() string {
	return locate(e.File, e.ID, e.ObjectType, e.Field) + e.Msg
}

// Warning is something Import or Export could not carry across: an object
// type kaiwu does not model, a term it approximates. Its fields locate it
// as in Error.
type Warning struct {
	File       string `json:"file,omitempty"`
	ID         string `json:"id,omitempty"`
	ObjectType string `json:"object_type,omitempty"`
	Field      string `json:"field,omitempty"`
	Msg        string `json:"message"`
}

// String formats the warning like an Error.
func (w Warning) String() string { return locate(w.File, w.ID, w.ObjectType, w.Field) + w.Msg }

func locate(file, id, typ, field string) string {
	var b strings.Builder
	if file != "" {
		b.WriteString(file + ": ")
	}
	switch {
	case id != "" && typ != "":
		fmt.Fprintf(&b, "object %q (%s): ", id, typ)
	case id != "":
		fmt.Fprintf(&b, "object %q: ", id)
	case typ != "":
		fmt.Fprintf(&b, "%s: ", typ)
	}
	if field != "" {
		b.WriteString(field + ": ")
	}
	return b.String()
}

// The OCF file types (enum FileType).
const (
	fileManifest     = "OCF_MANIFEST_FILE"
	fileStakeholders = "OCF_STAKEHOLDERS_FILE"
	fileStockClasses = "OCF_STOCK_CLASSES_FILE"
	fileLegends      = "OCF_STOCK_LEGEND_TEMPLATES_FILE"
	fileStockPlans   = "OCF_STOCK_PLANS_FILE"
	fileTransactions = "OCF_TRANSACTIONS_FILE"
	fileValuations   = "OCF_VALUATIONS_FILE"
	fileVestingTerms = "OCF_VESTING_TERMS_FILE"
	fileFinancings   = "OCF_FINANCINGS_FILE"
	fileDocuments    = "OCF_DOCUMENTS_FILE"
)

var fileTypes = map[string]bool{
	fileManifest: true, fileStakeholders: true, fileStockClasses: true, fileLegends: true,
	fileStockPlans: true, fileTransactions: true, fileValuations: true, fileVestingTerms: true,
	fileFinancings: true, fileDocuments: true,
}

// Comment markers: kaiwu terms with no OCF field travel as object
// comments, so that a kaiwu → OCF → kaiwu round trip keeps them.
const (
	markerProRata = "kaiwu:pro_rata"
)
