package ocf

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// Import reads the OCF package in fsys — a folder (os.DirFS) or a zip
// archive (*zip.Reader) — into a company document and validates it with
// captable's rules. It finds the manifest, reads the files the manifest
// lists and maps stakeholders, stock classes, the stock plan with its
// option grants and vesting terms, stock issuances, convertible issuances
// (SAFEs and notes), exercises, cancellations, retractions, conversions of
// convertibles and pool adjustments.
//
// Objects kaiwu does not model (warrants, transfers, valuations, legends…)
// are reported as warnings, never dropped silently. An invalid package
// gets an *Error naming the file, the object and the field. Import applies
// DefaultLimits; see ImportLimits.
func Import(fsys fs.FS) (*captable.Company, []Warning, error) {
	return ImportLimits(fsys, DefaultLimits)
}

// ImportLimits is Import with explicit size limits.
func ImportLimits(fsys fs.FS, lim Limits) (*captable.Company, []Warning, error) {
	im := &importer{fsys: fsys, lim: lim, objects: map[string]string{}}
	c, err := im.run()
	if err != nil {
		return nil, im.warnings, err
	}
	return c, im.warnings, nil
}

type importer struct {
	fsys     fs.FS
	lim      Limits
	total    int64
	dir      string
	warnings []Warning

	cur     money.Currency
	curFrom origin

	objects map[string]string // object id → file, for duplicate detection

	c          captable.Company
	stake      map[string]bool
	classes    map[string]*captable.ShareClass
	classOrder []string
	classSen   []decimal.Decimal
	classFrom  []origin
	planID     string
	planFrom   origin
	vesting    map[string]vestResult

	stakeFrom    []origin
	issuanceFrom []origin
	grantFrom    []origin
	convFrom     []origin
}

// security is one imported security, addressable by its OCF security_id.
type security struct {
	from    origin
	kind    string // "stock", "grant", "convertible"
	index   int
	date    captable.Date
	removed bool
}

func (im *importer) warn(w Warning) { im.warnings = append(im.warnings, w) }

// findManifest looks for the manifest at the root of fsys or inside a
// single top-level folder (a zipped folder).
func (im *importer) findManifest() (string, error) {
	for _, dir := range []string{"."} {
		entries, err := fs.ReadDir(im.fsys, dir)
		if err != nil {
			return "", &Error{File: ManifestName, Msg: fmt.Sprintf("cannot list the package: %v", err)}
		}
		var dirs []string
		for _, e := range entries {
			if !e.IsDir() && strings.EqualFold(e.Name(), ManifestName) {
				return e.Name(), nil
			}
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && e.Name() != "__MACOSX" {
				dirs = append(dirs, e.Name())
			}
		}
		if len(dirs) == 1 {
			sub, err := fs.ReadDir(im.fsys, dirs[0])
			if err == nil {
				for _, e := range sub {
					if !e.IsDir() && strings.EqualFold(e.Name(), ManifestName) {
						return dirs[0] + "/" + e.Name(), nil
					}
				}
			}
		}
	}
	return "", &Error{File: ManifestName, Msg: "not found: an OCF package needs a manifest (file_type OCF_MANIFEST_FILE) at its root"}
}

// read reads one package file within the limits.
func (im *importer) read(name string) ([]byte, error) {
	f, err := im.fsys.Open(name)
	if err != nil {
		return nil, &Error{File: name, Msg: fmt.Sprintf("cannot open: %v", errors.Unwrap(err))}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, &Error{File: name, Msg: "is a folder, not a JSON file"}
	}
	b, err := io.ReadAll(io.LimitReader(f, im.lim.MaxFileBytes+1))
	if err != nil {
		return nil, &Error{File: name, Msg: fmt.Sprintf("cannot read: %v", err)}
	}
	if int64(len(b)) > im.lim.MaxFileBytes {
		return nil, &Error{File: name, Msg: fmt.Sprintf("larger than %d bytes uncompressed; refusing to read it", im.lim.MaxFileBytes)}
	}
	im.total += int64(len(b))
	if im.total > im.lim.MaxTotalBytes {
		return nil, &Error{File: name, Msg: fmt.Sprintf("the package exceeds %d bytes in all; refusing to read further", im.lim.MaxTotalBytes)}
	}
	return b, nil
}

// The manifest lists, the file type each must hold, and whether kaiwu
// reads it.
var manifestLists = []struct {
	key, fileType string
	read          bool
}{
	{"stakeholders_files", fileStakeholders, true},
	{"stock_classes_files", fileStockClasses, true},
	{"vesting_terms_files", fileVestingTerms, true},
	{"stock_plans_files", fileStockPlans, true},
	{"transactions_files", fileTransactions, true},
	{"stock_legend_templates_files", fileLegends, false},
	{"valuations_files", fileValuations, false},
	{"financings_files", fileFinancings, false},
	{"documents_files", fileDocuments, false},
}

var manifestScalars = map[string]bool{
	"ocf_version": true, "file_type": true, "issuer": true, "as_of": true, "generated_at": true, "comments": true,
}

func (im *importer) run() (*captable.Company, error) {
	mpath, err := im.findManifest()
	if err != nil {
		return nil, err
	}
	im.dir = path.Dir(mpath)
	raw, err := im.read(mpath)
	if err != nil {
		return nil, err
	}
	mo := origin{file: mpath}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, mo.decodeError(err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, mo.decodeError(err)
	}
	if m.FileType != fileManifest {
		return nil, mo.err("file_type", "%q: want OCF_MANIFEST_FILE", m.FileType)
	}
	switch {
	case m.OCFVersion == "":
		return nil, mo.err("ocf_version", "required")
	case !strings.HasPrefix(m.OCFVersion, "1."):
		im.warn(mo.warn("ocf_version", "%q: this reader follows OCF %s; reading on a best-effort basis", m.OCFVersion, Version))
	}
	if m.Issuer == nil {
		return nil, mo.err("issuer", "required")
	}
	iso := origin{file: mpath, id: m.Issuer.ID, typ: "ISSUER"}
	im.c.Name = strings.TrimSpace(m.Issuer.LegalName)
	if im.c.Name == "" {
		return nil, iso.err("issuer.legal_name", "required")
	}
	if _, err := mo.date("as_of", m.AsOf); err != nil {
		return nil, err
	}

	// Collect the listed files, with their expected types.
	type listed struct {
		ref  fileRef
		key  string
		want string
		idx  int
	}
	byType := map[string][]listed{}
	nfiles := 0
	extra := make([]string, 0)
	for k := range keys {
		if manifestScalars[k] {
			continue
		}
		known := false
		for _, l := range manifestLists {
			known = known || l.key == k
		}
		if !known {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		im.warn(mo.warn(k, "not an OCF %s manifest field; ignored", Version))
	}
	for _, l := range manifestLists {
		rawList, ok := keys[l.key]
		if !ok {
			continue
		}
		var refs []fileRef
		if err := json.Unmarshal(rawList, &refs); err != nil {
			return nil, (origin{file: mpath}).decodeError(fmt.Errorf("%s: %w", l.key, err))
		}
		for i, r := range refs {
			nfiles++
			if nfiles > im.lim.MaxFiles {
				return nil, mo.err(l.key, "the manifest lists more than %d files; refusing to read them", im.lim.MaxFiles)
			}
			field := fmt.Sprintf("%s[%d].filepath", l.key, i)
			p, err := im.resolve(r.Filepath)
			if err != nil {
				return nil, mo.err(field, "%v", err)
			}
			if !l.read {
				im.warn(mo.warn(field, "%s not imported: kaiwu does not model %s", p, strings.TrimSuffix(l.key, "_files")))
				continue
			}
			byType[l.fileType] = append(byType[l.fileType], listed{ref: fileRef{Filepath: p, MD5: r.MD5}, key: l.key, want: l.fileType, idx: i})
		}
	}
	if len(byType[fileStakeholders]) == 0 && len(byType[fileStockClasses]) == 0 {
		im.warn(mo.warn("", "the manifest lists no stakeholders or stock classes files"))
	}

	// Read the files in dependency order.
	var txs []txItem
	for _, want := range []string{fileStakeholders, fileStockClasses, fileVestingTerms, fileStockPlans, fileTransactions} {
		for _, l := range byType[want] {
			file := l.ref.Filepath
			items, err := im.readOCFFile(file, l.ref.MD5, l.want)
			if err != nil {
				return nil, err
			}
			switch want {
			case fileStakeholders:
				err = im.stakeholders(file, items)
			case fileStockClasses:
				err = im.stockClasses(file, items)
			case fileVestingTerms:
				err = im.vestingTerms(file, items)
			case fileStockPlans:
				err = im.stockPlans(file, items)
			case fileTransactions:
				var t []txItem
				t, err = im.decodeTransactions(file, items)
				txs = append(txs, t...)
			}
			if err != nil {
				return nil, err
			}
		}
		if want == fileStockClasses {
			if err := im.finishClasses(); err != nil {
				return nil, err
			}
		}
	}
	if err := im.transactions(txs); err != nil {
		return nil, err
	}
	if im.cur == "" {
		im.cur = money.USD
		im.warn(mo.warn("", "no monetary amount in the package: currency set to USD"))
	}
	im.c.Currency = im.cur
	c := im.c
	if err := c.Validate(); err != nil {
		return nil, im.mapValidation(err)
	}
	return &c, nil
}

// resolve turns a manifest filepath ("./Stakeholders.ocf.json") into a
// path in fsys, refusing paths that leave the package.
func (im *importer) resolve(p string) (string, error) {
	if p == "" {
		return "", errors.New("required")
	}
	q := strings.TrimPrefix(strings.ReplaceAll(p, "\\", "/"), "./")
	if strings.HasPrefix(q, "/") {
		return "", fmt.Errorf("%q is an absolute path; want a path inside the package", p)
	}
	full := path.Join(im.dir, q)
	if !fs.ValidPath(full) || strings.HasPrefix(path.Clean(q), "..") {
		return "", fmt.Errorf("%q points outside the package", p)
	}
	return full, nil
}

// readOCFFile reads a listed file and checks its file_type.
func (im *importer) readOCFFile(file, sum, want string) ([]json.RawMessage, error) {
	b, err := im.read(file)
	if err != nil {
		return nil, err
	}
	fo := origin{file: file}
	if sum != "" {
		h := md5.Sum(b)
		if !strings.EqualFold(sum, hex.EncodeToString(h[:])) {
			im.warn(fo.warn("", "md5 %s in the manifest does not match the file's %s", sum, hex.EncodeToString(h[:])))
		}
	}
	var f fileIn
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		return nil, fo.decodeError(err)
	}
	switch {
	case f.FileType == "":
		return nil, fo.err("file_type", "required (want %s)", want)
	case !fileTypes[f.FileType]:
		return nil, fo.err("file_type", "%q is not an OCF file type", f.FileType)
	case f.FileType != want:
		return nil, fo.err("file_type", "%s, but the manifest lists this file as %s", f.FileType, want)
	}
	return f.Items, nil
}

// decode reads one item's header and then the whole item into v.
func (im *importer) decode(file string, i int, raw json.RawMessage, v any) (origin, error) {
	var h objectHeader
	if err := json.Unmarshal(raw, &h); err != nil {
		return origin{}, (origin{file: file}).err(fmt.Sprintf("items[%d]", i), "not an OCF object: %v", err)
	}
	o := origin{file: file, id: h.ID, typ: h.ObjectType}
	if h.ObjectType == "" {
		return o, o.err(fmt.Sprintf("items[%d].object_type", i), "required")
	}
	if strings.TrimSpace(h.ID) == "" {
		return o, o.err(fmt.Sprintf("items[%d].id", i), "required")
	}
	if prev, dup := im.objects[h.ID]; dup {
		return o, o.err("id", "duplicate id (already used by an object in %s)", prev)
	}
	im.objects[h.ID] = file
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			return o, o.decodeError(err)
		}
	}
	return o, nil
}

func (im *importer) expectType(o origin, want string) error {
	if o.typ != want {
		return o.err("object_type", "%q does not belong in this file (want %s)", o.typ, want)
	}
	return nil
}

// relationships maps OCF StakeholderRelationshipType to kaiwu's kinds.
var relationships = map[string]captable.StakeholderKind{
	"FOUNDER": captable.Founder, "EMPLOYEE": captable.Employee, "EX_EMPLOYEE": captable.Employee,
	"EXECUTIVE": captable.Employee, "OFFICER": captable.Employee, "NON_US_EMPLOYEE": captable.Employee,
	"INVESTOR": captable.Investor, "ADVISOR": captable.Advisor, "EX_ADVISOR": captable.Advisor,
	"CONSULTANT": captable.Advisor, "EX_CONSULTANT": captable.Advisor, "BOARD_MEMBER": captable.Other,
	"OTHER": captable.Other,
}

func (im *importer) stakeholders(file string, items []json.RawMessage) error {
	if im.stake == nil {
		im.stake = map[string]bool{}
	}
	for i, raw := range items {
		var s stakeholder
		o, err := im.decode(file, i, raw, &s)
		if err != nil {
			return err
		}
		if err := im.expectType(o, "STAKEHOLDER"); err != nil {
			return err
		}
		if s.Name == nil || strings.TrimSpace(s.Name.LegalName) == "" {
			return o.err("name.legal_name", "required")
		}
		if err := o.enum("stakeholder_type", s.StakeholderType, "INDIVIDUAL", "INSTITUTION"); err != nil {
			return err
		}
		kind := captable.Other
		if s.CurrentRelationship != "" {
			k, ok := relationships[s.CurrentRelationship]
			if !ok {
				keys := make([]string, 0, len(relationships))
				for r := range relationships {
					keys = append(keys, r)
				}
				sort.Strings(keys)
				return o.err("current_relationship", "%q is not one of %s", s.CurrentRelationship, strings.Join(keys, ", "))
			}
			kind = k
		}
		im.c.Stakeholders = append(im.c.Stakeholders, captable.Stakeholder{
			ID: s.ID, Name: strings.TrimSpace(s.Name.LegalName), Kind: kind, ProRata: hasComment(s.Comments, markerProRata),
		})
		im.stake[s.ID] = true
		im.stakeFrom = append(im.stakeFrom, o)
	}
	return nil
}

func (im *importer) stockClasses(file string, items []json.RawMessage) error {
	if im.classes == nil {
		im.classes = map[string]*captable.ShareClass{}
	}
	for i, raw := range items {
		var s stockClass
		o, err := im.decode(file, i, raw, &s)
		if err != nil {
			return err
		}
		if err := im.expectType(o, "STOCK_CLASS"); err != nil {
			return err
		}
		cl := captable.ShareClass{ID: s.ID, Name: strings.TrimSpace(s.Name), ConversionRatio: decimal.NewFromInt(1)}
		if cl.Name == "" {
			return o.err("name", "required")
		}
		if err := o.enum("class_type", s.ClassType, "COMMON", "PREFERRED"); err != nil {
			return err
		}
		sen, err := o.numeric("seniority", s.Seniority)
		if err != nil {
			return err
		}
		if s.PricePerShare != nil {
			if cl.OriginalIssuePrice, err = im.money(o, "price_per_share", s.PricePerShare); err != nil {
				return err
			}
		}
		lpm, hasLPM := decimal.Zero, s.LiquidationPreferenceMultiple != ""
		if hasLPM {
			if lpm, err = o.numeric("liquidation_preference_multiple", s.LiquidationPreferenceMultiple); err != nil {
				return err
			}
		}
		pcm, hasPCM, err := o.optNumeric("participation_cap_multiple", s.ParticipationCapMultiple)
		if err != nil {
			return err
		}
		if s.ClassType == "PREFERRED" {
			cl.Kind = captable.Preferred
			if s.PricePerShare == nil {
				return o.err("price_per_share", "required for a preferred class (kaiwu measures the preference against it)")
			}
			if !cl.OriginalIssuePrice.IsPositive() {
				return o.err("price_per_share.amount", "must be > 0 for a preferred class (got %s)", s.PricePerShare.Amount)
			}
			cl.LiquidationMultiple = decimal.NewFromInt(1)
			if hasLPM {
				cl.LiquidationMultiple = lpm
			}
			if hasPCM {
				cl.Participating, cl.ParticipationCap = true, pcm
			}
		} else {
			cl.Kind = captable.Common
			if (hasLPM && !lpm.IsZero()) || hasPCM {
				im.warn(o.warn("liquidation_preference_multiple", "preference terms on a common class are ignored"))
			}
		}
		for j, r := range s.ConversionRights {
			f := fmt.Sprintf("conversion_rights[%d]", j)
			if r.Type != "" && r.Type != "STOCK_CLASS_CONVERSION_RIGHT" {
				return o.err(f+".type", "%q: want STOCK_CLASS_CONVERSION_RIGHT", r.Type)
			}
			m := r.ConversionMechanism
			if m == nil {
				return o.err(f+".conversion_mechanism", "required")
			}
			mt := m.Type
			if mt == "" {
				mt = m.MechanismType
			}
			if mt != "RATIO_CONVERSION" {
				im.warn(o.warn(f+".conversion_mechanism.type", "%q conversion not modelled; conversion ratio left at 1", mt))
				continue
			}
			if m.Ratio == nil {
				return o.err(f+".conversion_mechanism.ratio", "required")
			}
			num, err := o.numeric(f+".conversion_mechanism.ratio.numerator", m.Ratio.Numerator)
			if err != nil {
				return err
			}
			den, err := o.numeric(f+".conversion_mechanism.ratio.denominator", m.Ratio.Denominator)
			if err != nil {
				return err
			}
			if !num.IsPositive() || !den.IsPositive() {
				return o.err(f+".conversion_mechanism.ratio", "%s:%s: both terms must be > 0", m.Ratio.Numerator, m.Ratio.Denominator)
			}
			if j > 0 {
				im.warn(o.warn(f, "only the first conversion right is kept"))
				continue
			}
			q := num.DivRound(den, 10)
			if !q.Mul(den).Equal(num) {
				im.warn(o.warn(f+".conversion_mechanism.ratio", "%s/%s rounded to %s", num, den, q))
			}
			cl.ConversionRatio = q
		}
		im.c.ShareClasses = append(im.c.ShareClasses, cl)
		im.classOrder = append(im.classOrder, s.ID)
		im.classSen = append(im.classSen, sen)
		im.classFrom = append(im.classFrom, o)
	}
	return nil
}

// finishClasses sets kaiwu's integer seniorities from OCF's Numeric ones:
// kept as they are when all are whole and non-negative, otherwise ranked
// densely (0 for the lowest), which preserves the order.
func (im *importer) finishClasses() error {
	whole := true
	for _, s := range im.classSen {
		if !s.IsInteger() || s.IsNegative() || s.GreaterThan(decimal.NewFromInt(1_000_000)) {
			whole = false
		}
	}
	if whole {
		for i, s := range im.classSen {
			im.c.ShareClasses[i].Seniority = int(s.IntPart())
		}
	} else {
		distinct := slices.Clone(im.classSen)
		slices.SortFunc(distinct, func(a, b decimal.Decimal) int { return a.Cmp(b) })
		distinct = slices.CompactFunc(distinct, func(a, b decimal.Decimal) bool { return a.Equal(b) })
		for i, s := range im.classSen {
			r, _ := slices.BinarySearchFunc(distinct, s, func(a, b decimal.Decimal) int { return a.Cmp(b) })
			im.c.ShareClasses[i].Seniority = r
		}
		if len(im.classSen) > 0 {
			im.warn(im.classFrom[0].warn("seniority", "fractional or negative seniorities ranked as 0, 1, 2… (order kept)"))
		}
	}
	im.classes = map[string]*captable.ShareClass{}
	for i := range im.c.ShareClasses {
		im.classes[im.c.ShareClasses[i].ID] = &im.c.ShareClasses[i]
	}
	return nil
}

func (im *importer) stockPlans(file string, items []json.RawMessage) error {
	for i, raw := range items {
		var s stockPlan
		o, err := im.decode(file, i, raw, &s)
		if err != nil {
			return err
		}
		if err := im.expectType(o, "STOCK_PLAN"); err != nil {
			return err
		}
		if im.c.OptionPlan != nil {
			return o.err("id", "a second stock plan (after %q): kaiwu holds one option plan per company", im.planID)
		}
		if strings.TrimSpace(s.PlanName) == "" {
			return o.err("plan_name", "required")
		}
		pool, err := o.numeric("initial_shares_reserved", s.InitialSharesReserved)
		if err != nil {
			return err
		}
		if pool.IsNegative() {
			return o.err("initial_shares_reserved", "must not be negative (got %s)", s.InitialSharesReserved)
		}
		class, field := s.StockClassID, "stock_class_id"
		if len(s.StockClassIDs) > 0 {
			class, field = s.StockClassIDs[0], "stock_class_ids[0]"
			if len(s.StockClassIDs) > 1 {
				im.warn(o.warn("stock_class_ids", "kaiwu's plan issues one class; kept %q", class))
			}
		}
		if class == "" {
			return o.err("stock_class_ids", "required")
		}
		if im.classes[class] == nil {
			return o.err(field, "%q is not a stock class", class)
		}
		im.c.OptionPlan = &captable.OptionPlan{Name: strings.TrimSpace(s.PlanName), Class: class, PoolSize: pool}
		im.planID, im.planFrom = s.ID, o
	}
	return nil
}

func (im *importer) vestingTerms(file string, items []json.RawMessage) error {
	if im.vesting == nil {
		im.vesting = map[string]vestResult{}
	}
	for i, raw := range items {
		var v vestingTerms
		o, err := im.decode(file, i, raw, &v)
		if err != nil {
			return err
		}
		if err := im.expectType(o, "VESTING_TERMS"); err != nil {
			return err
		}
		r, err := im.decodeVesting(o, &v)
		if err != nil {
			return err
		}
		im.vesting[v.ID] = r
	}
	return nil
}

// txItem is one decoded transaction, in file order.
type txItem struct {
	o    origin
	t    txIn
	date captable.Date
	seq  int
}

// The transactions Import applies; acceptances carry no economics and
// are skipped quietly.
var (
	txStock       = map[string]bool{"TX_STOCK_ISSUANCE": true}
	txGrant       = map[string]bool{"TX_EQUITY_COMPENSATION_ISSUANCE": true, "TX_PLAN_SECURITY_ISSUANCE": true}
	txConvertible = map[string]bool{"TX_CONVERTIBLE_ISSUANCE": true}
	txExercise    = map[string]bool{"TX_EQUITY_COMPENSATION_EXERCISE": true, "TX_PLAN_SECURITY_EXERCISE": true}
	txCancel      = map[string]bool{"TX_STOCK_CANCELLATION": true, "TX_EQUITY_COMPENSATION_CANCELLATION": true,
		"TX_PLAN_SECURITY_CANCELLATION": true, "TX_CONVERTIBLE_CANCELLATION": true}
	txRetract = map[string]bool{"TX_STOCK_RETRACTION": true, "TX_EQUITY_COMPENSATION_RETRACTION": true,
		"TX_PLAN_SECURITY_RETRACTION": true, "TX_CONVERTIBLE_RETRACTION": true}
	txQuiet = map[string]bool{"TX_STOCK_ACCEPTANCE": true, "TX_EQUITY_COMPENSATION_ACCEPTANCE": true,
		"TX_PLAN_SECURITY_ACCEPTANCE": true, "TX_CONVERTIBLE_ACCEPTANCE": true}
)

func (im *importer) decodeTransactions(file string, items []json.RawMessage) ([]txItem, error) {
	out := make([]txItem, 0, len(items))
	for i, raw := range items {
		var t txIn
		o, err := im.decode(file, i, raw, &t)
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(o.typ, "TX_") {
			return nil, o.err("object_type", "%q is not a transaction", o.typ)
		}
		d, err := o.date("date", t.Date)
		if err != nil {
			return nil, err
		}
		out = append(out, txItem{o: o, t: t, date: d, seq: i})
	}
	return out, nil
}

func (im *importer) transactions(txs []txItem) error {
	secs := map[string]*security{}
	exercisedResults := map[string]bool{}
	unsupported := map[string][]origin{}
	var events []txItem
	var stocks, grants, convs []txItem
	for _, x := range txs {
		typ := x.o.typ
		switch {
		case txStock[typ]:
			stocks = append(stocks, x)
		case txGrant[typ]:
			grants = append(grants, x)
		case txConvertible[typ]:
			convs = append(convs, x)
		case txExercise[typ]:
			for _, r := range x.t.ResultingSecurityIDs {
				exercisedResults[r] = true
			}
			events = append(events, x)
		case txCancel[typ], txRetract[typ], typ == "TX_CONVERTIBLE_CONVERSION", typ == "TX_STOCK_PLAN_POOL_ADJUSTMENT", typ == "TX_VESTING_START":
			events = append(events, x)
		case txQuiet[typ]:
		default:
			unsupported[typ] = append(unsupported[typ], x.o)
		}
	}
	types := make([]string, 0, len(unsupported))
	for t := range unsupported {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		os := unsupported[t]
		w := os[0].warn("", "not imported: kaiwu does not model %s", t)
		if len(os) > 1 {
			w.Msg = fmt.Sprintf("not imported: kaiwu does not model %s (%d objects, this is the first)", t, len(os))
		}
		im.warn(w)
	}
	newSecurity := func(x txItem, kind string, index int) error {
		if x.t.SecurityID == "" {
			return x.o.err("security_id", "required")
		}
		if prev, dup := secs[x.t.SecurityID]; dup {
			return x.o.err("security_id", "%q is already issued by object %q", x.t.SecurityID, prev.from.id)
		}
		secs[x.t.SecurityID] = &security{from: x.o, kind: kind, index: index, date: x.date}
		return nil
	}
	holder := func(x txItem) error {
		if x.t.StakeholderID == "" {
			return x.o.err("stakeholder_id", "required")
		}
		if !im.stake[x.t.StakeholderID] {
			return x.o.err("stakeholder_id", "%q is not a stakeholder", x.t.StakeholderID)
		}
		return nil
	}
	for _, x := range stocks {
		o, t := x.o, x.t
		if exercisedResults[t.SecurityID] {
			// Stock from an option exercise: kaiwu counts it in the grant's
			// exercised shares, not as an issuance.
			secs[t.SecurityID] = &security{from: o, kind: "exercised", date: x.date}
			continue
		}
		if err := holder(x); err != nil {
			return err
		}
		if t.StockClassID == "" {
			return o.err("stock_class_id", "required")
		}
		if im.classes[t.StockClassID] == nil {
			return o.err("stock_class_id", "%q is not a stock class", t.StockClassID)
		}
		qty, err := o.positive("quantity", t.Quantity)
		if err != nil {
			return err
		}
		price, err := im.money(o, "share_price", t.SharePrice)
		if err != nil {
			return err
		}
		if price.IsNegative() {
			return o.err("share_price.amount", "must not be negative (got %s)", t.SharePrice.Amount)
		}
		if t.VestingTermsID != "" || len(t.Vestings) > 0 {
			im.warn(o.warn("vesting_terms_id", "vesting of stock (restricted stock) is not modelled; the shares count as issued"))
		}
		if err := newSecurity(x, "stock", len(im.c.Issuances)); err != nil {
			return err
		}
		im.c.Issuances = append(im.c.Issuances, captable.Issuance{ID: t.SecurityID, Stakeholder: t.StakeholderID,
			Class: t.StockClassID, Shares: qty, PricePerShare: price, Date: x.date})
		im.issuanceFrom = append(im.issuanceFrom, o)
	}
	for _, x := range grants {
		o, t := x.o, x.t
		if err := o.enum("compensation_type", t.CompensationType, "OPTION_NSO", "OPTION_ISO", "OPTION", "RSU", "CSAR", "SSAR"); err != nil {
			return err
		}
		if t.CompensationType == "CSAR" || t.CompensationType == "SSAR" {
			im.warn(o.warn("compensation_type", "%s (stock appreciation right) not imported: kaiwu models options", t.CompensationType))
			continue
		}
		if err := holder(x); err != nil {
			return err
		}
		if t.StockPlanID == "" {
			return o.err("stock_plan_id", "required: kaiwu keeps option grants in the company's option plan")
		}
		if im.c.OptionPlan == nil || t.StockPlanID != im.planID {
			return o.err("stock_plan_id", "%q is not a stock plan", t.StockPlanID)
		}
		if t.StockClassID != "" {
			if im.classes[t.StockClassID] == nil {
				return o.err("stock_class_id", "%q is not a stock class", t.StockClassID)
			}
			if t.StockClassID != im.c.OptionPlan.Class {
				im.warn(o.warn("stock_class_id", "%q differs from the plan's class %q; the plan's is used", t.StockClassID, im.c.OptionPlan.Class))
			}
		}
		qty, err := o.positive("quantity", t.Quantity)
		if err != nil {
			return err
		}
		g := captable.Grant{ID: t.SecurityID, Stakeholder: t.StakeholderID, Shares: qty}
		if t.CompensationType == "RSU" {
			im.warn(o.warn("compensation_type", "RSU imported as an option grant with exercise price 0"))
			if t.ExercisePrice != nil {
				if _, err := im.money(o, "exercise_price", t.ExercisePrice); err != nil {
					return err
				}
			}
		} else {
			if g.ExercisePrice, err = im.money(o, "exercise_price", t.ExercisePrice); err != nil {
				return err
			}
			if g.ExercisePrice.IsNegative() {
				return o.err("exercise_price.amount", "must not be negative (got %s)", t.ExercisePrice.Amount)
			}
		}
		switch {
		case len(t.Vestings) > 0:
			im.warn(o.warn("vestings", "explicit vesting dates are not modelled; the grant is imported as fully vested"))
		case t.VestingTermsID != "":
			r, ok := im.vesting[t.VestingTermsID]
			if !ok {
				return o.err("vesting_terms_id", "%q is not a vesting terms id", t.VestingTermsID)
			}
			if r.ok {
				g.VestingMonths, g.CliffMonths = r.months, r.cliff
			} else {
				im.warn(o.warn("vesting_terms_id", "vesting terms %q are not a monthly schedule with a cliff; the grant is imported as fully vested", t.VestingTermsID))
			}
		}
		if err := newSecurity(x, "grant", len(im.c.OptionPlan.Grants)); err != nil {
			return err
		}
		im.c.OptionPlan.Grants = append(im.c.OptionPlan.Grants, g)
		im.grantFrom = append(im.grantFrom, o)
	}
	for _, x := range convs {
		cv, err := im.convertible(x)
		if err != nil {
			return err
		}
		if cv == nil {
			continue
		}
		if err := newSecurity(x, "convertible", len(im.c.Convertibles)); err != nil {
			return err
		}
		im.c.Convertibles = append(im.c.Convertibles, *cv)
		im.convFrom = append(im.convFrom, x.o)
	}

	// Later events in date order (file order within a day).
	sort.SliceStable(events, func(i, j int) bool { return events[i].date.Before(events[j].date) })
	starts := map[int]bool{}
	for _, x := range events {
		o, t := x.o, x.t
		if o.typ == "TX_STOCK_PLAN_POOL_ADJUSTMENT" {
			if im.c.OptionPlan == nil || t.StockPlanID != im.planID {
				return o.err("stock_plan_id", "%q is not a stock plan", t.StockPlanID)
			}
			pool, _, err := o.optNumeric("shares_reserved", t.SharesReserved)
			if err != nil {
				return err
			}
			if t.SharesReserved == nil {
				return o.err("shares_reserved", "required")
			}
			im.c.OptionPlan.PoolSize = pool
			continue
		}
		if t.SecurityID == "" {
			return o.err("security_id", "required")
		}
		s := secs[t.SecurityID]
		if s == nil {
			return o.err("security_id", "%q is not a security issued in this package", t.SecurityID)
		}
		if s.removed {
			return o.err("security_id", "%q was already cancelled, retracted or converted", t.SecurityID)
		}
		if s.kind == "exercised" {
			im.warn(o.warn("security_id", "%s on stock from an option exercise is not modelled", o.typ))
			continue
		}
		if x.date.Before(s.date) && o.typ != "TX_VESTING_START" { // vesting may commence before the grant
			return o.err("date", "%s is before the security's issuance on %s", x.date, s.date)
		}
		switch {
		case o.typ == "TX_VESTING_START":
			if s.kind != "grant" {
				im.warn(o.warn("security_id", "vesting start of a %s is not modelled", s.kind))
				continue
			}
			im.c.OptionPlan.Grants[s.index].VestingStart = x.date
			starts[s.index] = true
		case txExercise[o.typ]:
			if s.kind != "grant" {
				return o.err("security_id", "%q is not an equity compensation grant", t.SecurityID)
			}
			q, err := o.positive("quantity", t.Quantity)
			if err != nil {
				return err
			}
			g := &im.c.OptionPlan.Grants[s.index]
			g.Exercised = g.Exercised.Add(q)
			if g.Exercised.GreaterThan(g.Shares) {
				return o.err("quantity", "exercises total %s, more than the %s granted", g.Exercised, g.Shares)
			}
		case o.typ == "TX_CONVERTIBLE_CONVERSION", txRetract[o.typ]:
			s.removed = true
		case txCancel[o.typ]:
			if err := im.cancel(x, s); err != nil {
				return err
			}
		}
	}
	// Vesting commences at the grant date unless a TX_VESTING_START says
	// otherwise.
	if p := im.c.OptionPlan; p != nil {
		for i := range p.Grants {
			if p.Grants[i].VestingMonths > 0 && !starts[i] {
				for _, s := range secs {
					if s.kind == "grant" && s.index == i {
						p.Grants[i].VestingStart = s.date
					}
				}
			}
		}
	}
	im.dropRemoved(secs)
	return nil
}

// cancel applies a cancellation: the whole security when a balance
// security takes the rest (OCF's pattern) or nothing remains, else the
// quantity (amount, for convertibles) is subtracted.
func (im *importer) cancel(x txItem, s *security) error {
	o, t := x.o, x.t
	var left decimal.Decimal
	switch s.kind {
	case "convertible":
		amt, err := im.money(o, "amount", t.Amount)
		if err != nil {
			return err
		}
		cv := &im.c.Convertibles[s.index]
		left = cv.Amount.Sub(amt)
		if left.IsPositive() && t.BalanceSecurityID == "" {
			cv.Amount = left
		}
	case "stock", "grant":
		q, err := o.positive("quantity", t.Quantity)
		if err != nil {
			return err
		}
		if s.kind == "stock" {
			is := &im.c.Issuances[s.index]
			left = is.Shares.Sub(q)
			if left.IsPositive() && t.BalanceSecurityID == "" {
				is.Shares = left
			}
		} else {
			g := &im.c.OptionPlan.Grants[s.index]
			left = g.Shares.Sub(q)
			if left.LessThan(g.Exercised) {
				return o.err("quantity", "cancels %s of %s options, %s of which are exercised", q, g.Shares, g.Exercised)
			}
			if left.IsPositive() && t.BalanceSecurityID == "" {
				g.Shares = left
			}
		}
	}
	if left.IsNegative() {
		return o.err("quantity", "cancels more than the security holds")
	}
	if !left.IsPositive() || t.BalanceSecurityID != "" {
		s.removed = true
	}
	return nil
}

// dropRemoved deletes cancelled, retracted and converted securities.
func (im *importer) dropRemoved(secs map[string]*security) {
	gone := map[string]map[int]bool{"stock": {}, "grant": {}, "convertible": {}}
	for _, s := range secs {
		if s.removed && gone[s.kind] != nil {
			gone[s.kind][s.index] = true
		}
	}
	im.c.Issuances, im.issuanceFrom = dropIdx(im.c.Issuances, im.issuanceFrom, gone["stock"])
	if im.c.OptionPlan != nil {
		im.c.OptionPlan.Grants, im.grantFrom = dropIdx(im.c.OptionPlan.Grants, im.grantFrom, gone["grant"])
	}
	im.c.Convertibles, im.convFrom = dropIdx(im.c.Convertibles, im.convFrom, gone["convertible"])
}

func dropIdx[T any](xs []T, from []origin, gone map[int]bool) ([]T, []origin) {
	if len(gone) == 0 {
		return xs, from
	}
	var out []T
	var of []origin
	for i := range xs {
		if !gone[i] {
			out = append(out, xs[i])
			of = append(of, from[i])
		}
	}
	return out, of
}

// validationPrefix matches the locations captable.Validate reports.
var validationPrefix = regexp.MustCompile(`^(stakeholders|share_classes|issuances|convertibles|option_plan: grants)\[(\d+)\][^:]*: (.*)$`)

// mapValidation rewrites a captable validation error so that it names the
// OCF object it came from.
func (im *importer) mapValidation(err error) error {
	msg := err.Error()
	if m := validationPrefix.FindStringSubmatch(msg); m != nil {
		i, _ := strconv.Atoi(m[2])
		var from []origin
		switch m[1] {
		case "stakeholders":
			from = im.stakeFrom
		case "share_classes":
			from = im.classFrom
		case "issuances":
			from = im.issuanceFrom
		case "convertibles":
			from = im.convFrom
		default:
			from = im.grantFrom
		}
		if i < len(from) {
			return from[i].err("", "kaiwu check: %s", m[3])
		}
	}
	if strings.HasPrefix(msg, "option_plan") && im.planFrom.file != "" {
		return im.planFrom.err("", "kaiwu check: %s", msg)
	}
	return &Error{File: ManifestName, Msg: "kaiwu check: " + msg}
}
