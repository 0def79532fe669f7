package directory

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"pinsh/host/object"
	"pinsh/host/store"
)

// Options tune [Import].
type Options struct {
	// NetBiosName sets the store's NetBIOS domain name; by default the
	// first DC= label of the imported domain is used when the store has
	// none yet.
	NetBiosName string
	// SiteName, when set, records the Lync site of the store's users: its
	// site:<name> PIN policy applies to users without a per-user policy.
	SiteName string
	// Format is "ldif" or "csv"; "" decides by the file name's extension
	// (.ldf, .ldif, .csv) or else by the content.
	Format string
	// MaxProblems bounds the problems kept in the result (default 1000); the
	// rest are only counted.
	MaxProblems int
	// Audit, when set, is appended to the audit trail in the import's
	// transaction, with Target, Action, Outcome and Detail filled in.
	Audit *store.AuditRecord
}

// Result counts what an import did.
type Result struct {
	File string
	// Users added, updated in place and deleted (changetype: delete).
	Added, Updated, Deleted int
	// Skipped counts malformed or unusable entries (each a Problem).
	Skipped int
	// Ignored counts well-formed entries of other object classes
	// (computers, contacts, ...).
	Ignored int
	// Groups counts group entries written; OUs the organizational units and
	// containers recorded.
	Groups, OUs int
	Problems    []*Problem
	// MoreProblems counts problems beyond Options.MaxProblems.
	MoreProblems int
	// NetBiosName is the store's NetBIOS name after the import.
	NetBiosName string
}

// String is the summary line Import-CsDirectory prints.
func (r *Result) String() string {
	return fmt.Sprintf("Imported %s: %d users added, %d updated, %d deleted, %d skipped; %d groups, %d OUs and containers.",
		r.File, r.Added, r.Updated, r.Deleted, r.Skipped, r.Groups, r.OUs)
}

// Import loads an LDIF or CSV file into the store in one write
// transaction: users, organizational units (from organizationalUnit
// entries and from the DNs of all entries) and groups with their members
// (member and memberOf; an entry may name groups and users that come later
// in the file). An existing user or group is updated in place, matched by
// objectGUID, else by DN; PIN state and granted policies are kept.
// Malformed entries are skipped and reported in Result.Problems; an error
// is returned only when the file cannot be read or the store fails, and
// then nothing is imported.
func Import(ctx context.Context, st *store.Store, path string, opts Options) (*Result, error) {
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = 1000
	}
	format := strings.ToLower(opts.Format)
	if format == "" {
		format = formatOf(path)
	}
	if format != "ldif" && format != "csv" && format != "auto" {
		return nil, fmt.Errorf("Unknown directory file format %q; use Ldif or Csv.", opts.Format)
	}
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("Cannot find the directory file %s.", path)
	}
	if err != nil {
		return nil, fmt.Errorf("Cannot read the directory file %s: %w", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("Cannot read the directory file %s: it is a directory.", path)
	}
	res := &Result{}
	err = st.Write(ctx, func(tx *store.Tx) error {
		*res = Result{File: path}
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("Cannot read the directory file %s: %w", path, err)
		}
		defer f.Close()
		br := bufio.NewReaderSize(f, 256<<10)
		if format == "auto" {
			format = sniff(br)
		}
		var rd Reader
		if format == "csv" {
			if rd, err = NewCSVReader(br, path); err != nil {
				return err
			}
		} else {
			rd = NewLDIFReader(br, path)
		}
		w, err := tx.DirectoryWriter()
		if err != nil {
			return err
		}
		defer w.Close()
		imp := &importer{ctx: ctx, tx: tx, w: w, res: res, opts: &opts, seenOU: map[string]bool{}, seenParent: map[string]bool{}}
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			e, err := rd.Next()
			if err == io.EOF {
				break
			}
			var p *Problem
			if errors.As(err, &p) {
				imp.problem(p)
				continue
			}
			if err != nil {
				return err // the readers name the file
			}
			if err := imp.apply(e); err != nil {
				if errors.As(err, &p) {
					imp.problem(p)
					continue
				}
				return err
			}
		}
		if err := imp.finish(); err != nil {
			return err
		}
		if err := w.Finish(); err != nil {
			return err
		}
		if opts.Audit != nil {
			rec := *opts.Audit
			rec.Target, rec.Action, rec.Outcome = path, "Import", store.OutcomeSuccess
			rec.Detail = fmt.Sprintf("%d users added, %d updated, %d deleted, %d skipped; %d groups, %d OUs",
				res.Added, res.Updated, res.Deleted, res.Skipped, res.Groups, res.OUs)
			if err := tx.AppendAudit(&rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func formatOf(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "csv"
	case ".ldf", ".ldif":
		return "ldif"
	}
	return "auto"
}

// sniff decides the format from the first non-blank line: LDIF starts with
// a comment, a version line or a dn line.
func sniff(br *bufio.Reader) string {
	b, _ := br.Peek(4096)
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") && !hasPrefixFold(line, "#TYPE") || hasPrefixFold(line, "dn:") || hasPrefixFold(line, "version:") {
			return "ldif"
		}
		return "csv"
	}
	return "ldif"
}

type importer struct {
	ctx    context.Context
	tx     *store.Tx
	w      *store.DirectoryWriter
	res    *Result
	opts   *Options
	seenOU map[string]bool
	// seenParent holds the parent DNs (as written) whose containers are
	// recorded, which saves splitting and folding them again per user.
	seenParent map[string]bool
	// memberOf pairs are applied at the end, after every group entry has
	// set its member list.
	memberOf [][2]string
	domainDN string
}

func (im *importer) problem(p *Problem) {
	im.res.Skipped++
	if len(im.res.Problems) < im.opts.MaxProblems {
		im.res.Problems = append(im.res.Problems, p)
	} else {
		im.res.MoreProblems++
	}
}

func (im *importer) entryProblem(e *Entry, format string, a ...any) error {
	return &Problem{File: im.res.File, Line: e.Line, DN: e.DN, Reason: fmt.Sprintf(format, a...)}
}

// class decides what an entry is from its objectClass values.
func class(e *Entry) string {
	classes := e.All("objectClass")
	has := func(c string) bool {
		for _, x := range classes {
			if strings.EqualFold(strings.TrimSpace(x), c) {
				return true
			}
		}
		return false
	}
	switch {
	case has("computer") || has("contact"):
		return "other"
	case has("user") || has("person") || has("inetOrgPerson") || has("organizationalPerson"):
		return "user"
	case has("group"):
		return "group"
	case has("organizationalUnit"):
		return "ou"
	case has("domainDNS") || has("domain"):
		return "domain"
	case has("container") || has("builtinDomain"):
		return "container"
	case len(classes) == 0:
		for _, a := range []string{"sAMAccountName", "userPrincipalName", "msRTCSIP-PrimaryUserAddress", "displayName"} {
			if _, ok := e.Get(a); ok {
				return "user"
			}
		}
	}
	return "other"
}

func (im *importer) apply(e *Entry) error {
	if !validDN(e.DN) {
		return im.entryProblem(e, "%q is not a distinguished name (expected RDNs such as CN=...,OU=...,DC=...)", clip(e.DN))
	}
	switch e.ChangeType {
	case "delete":
		return im.delete(e)
	case "modify":
		return im.modify(e)
	}
	switch class(e) {
	case "user":
		u := &store.User{DN: e.DN}
		var groups []string
		for _, a := range e.Attrs {
			if strings.EqualFold(a.Name, "memberOf") {
				groups = append(groups, a.Value)
				continue
			}
			if err := setUserAttr(u, a.Name, a.Value); err != nil {
				return im.entryProblem(e, "%v", err)
			}
		}
		if err := im.putUser(e, u); err != nil {
			return err
		}
		for _, g := range groups {
			im.memberOf = append(im.memberOf, [2]string{g, u.DN})
		}
	case "group":
		return im.putGroup(e)
	case "ou":
		if err := im.ensureOU(e.DN, "ou"); err != nil {
			return err
		}
		return im.ensureParents(e.DN)
	case "domain":
		im.noteDomain(e.DN)
		return im.ensureOU(e.DN, "domain")
	case "container":
		if err := im.ensureOU(e.DN, "container"); err != nil {
			return err
		}
		return im.ensureParents(e.DN)
	default:
		im.res.Ignored++
	}
	return nil
}

func validDN(dn string) bool {
	rdns := store.SplitDN(dn)
	if len(rdns) == 0 {
		return false
	}
	for _, r := range rdns {
		i := strings.IndexByte(r, '=')
		if i <= 0 || !validAttrName(strings.TrimSpace(r[:i])) || strings.TrimSpace(r[i+1:]) == "" {
			return false
		}
	}
	return true
}

// dbProblem turns a constraint violation into a problem for the entry;
// other database errors abort the import.
func (im *importer) dbProblem(e *Entry, err error) error {
	var clash *store.IdentityClashError
	if errors.As(err, &clash) {
		// Two users with one identity would both be selected by it (one
		// Set-CsClientPin setting two PINs): the entry is refused.
		return im.entryProblem(e, "%v", clash)
	}
	if store.IsConstraint(err) {
		return im.entryProblem(e, "conflicts with another entry: %v", err)
	}
	return err
}

func (im *importer) putUser(e *Entry, u *store.User) error {
	added, err := im.w.PutUser(u)
	if err != nil {
		return im.dbProblem(e, err)
	}
	if added {
		im.res.Added++
	} else {
		im.res.Updated++
	}
	im.noteDomain(u.DN)
	if im.seenParent[u.OU] {
		return nil // users of one OU share it, spelt alike
	}
	if err := im.ensureParents(u.DN); err != nil {
		return err
	}
	if len(im.seenParent) < 1<<16 {
		im.seenParent[u.OU] = true
	}
	return nil
}

func (im *importer) putGroup(e *Entry) error {
	g := &store.Group{DN: e.DN}
	var members, parents []string
	for _, a := range e.Attrs {
		var err error
		switch object.Fold(a.Name) {
		case "objectguid":
			g.GUID, err = parseGUID(a.Value)
		case "samaccountname":
			g.SamAccountName = strings.TrimSpace(a.Value)
		case "displayname":
			g.DisplayName = strings.TrimSpace(a.Value)
		case "description":
			g.Description = a.Value
		case "member":
			members = append(members, a.Value)
		case "memberof":
			parents = append(parents, a.Value)
		}
		if err != nil {
			return im.entryProblem(e, "%v", err)
		}
	}
	if g.SamAccountName == "" {
		if rdns := store.SplitDN(e.DN); len(rdns) > 0 {
			g.SamAccountName = store.RDNValue(rdns[0])
		}
	}
	for _, m := range append(members, parents...) {
		if !validDN(m) {
			return im.entryProblem(e, "the member %q is not a distinguished name", clip(m))
		}
	}
	if _, err := im.w.PutGroup(g); err != nil {
		return im.dbProblem(e, err)
	}
	im.res.Groups++
	if err := im.w.ClearMembers(g.DN); err != nil {
		return err
	}
	for _, m := range members {
		if err := im.w.AddMember(g.DN, m); err != nil {
			return err
		}
	}
	for _, p := range parents {
		im.memberOf = append(im.memberOf, [2]string{p, g.DN})
	}
	im.noteDomain(g.DN)
	return im.ensureParents(g.DN)
}

func (im *importer) delete(e *Entry) error {
	ok, err := im.w.DeleteUser(e.DN)
	if err != nil {
		return err
	}
	if !ok {
		ok, err = im.w.DeleteGroup(e.DN)
		if err != nil {
			return err
		}
	}
	if !ok {
		return im.entryProblem(e, "cannot delete: no user or group has this DN")
	}
	im.res.Deleted++
	return nil
}

func (im *importer) modify(e *Entry) error {
	u, err := im.w.UserByDN(e.DN)
	var nf *store.NotFoundError
	if err == nil {
		for _, m := range e.Mods {
			if strings.EqualFold(m.Attr, "memberOf") {
				for _, g := range m.Values {
					switch m.Op {
					case "delete":
						if err := im.w.RemoveMember(g, u.DN); err != nil {
							return err
						}
					default:
						im.memberOf = append(im.memberOf, [2]string{g, u.DN})
					}
				}
				continue
			}
			if m.Op == "replace" || m.Op == "delete" {
				vals := m.Values
				if m.Op == "replace" || len(vals) == 0 {
					vals = []string{""}
				}
				for _, v := range vals {
					if err := clearUserAttr(u, m.Attr, v); err != nil {
						return im.entryProblem(e, "%v", err)
					}
				}
			}
			if m.Op == "add" || m.Op == "replace" {
				for _, v := range m.Values {
					if err := setUserAttr(u, m.Attr, v); err != nil {
						return im.entryProblem(e, "%v", err)
					}
				}
			}
		}
		u.OU = ""
		if _, err := im.w.PutUser(u); err != nil {
			return im.dbProblem(e, err)
		}
		im.res.Updated++
		return nil
	}
	if !errors.As(err, &nf) {
		return err
	}
	g, err := im.w.GroupByDN(e.DN)
	if errors.As(err, &nf) {
		return im.entryProblem(e, "cannot modify: no user or group has this DN")
	}
	if err != nil {
		return err
	}
	for _, m := range e.Mods {
		switch object.Fold(m.Attr) {
		case "member":
			if m.Op == "replace" {
				if err := im.w.ClearMembers(g.DN); err != nil {
					return err
				}
			}
			for _, v := range m.Values {
				if !validDN(v) {
					return im.entryProblem(e, "the member %q is not a distinguished name", clip(v))
				}
				if m.Op == "delete" {
					err = im.w.RemoveMember(g.DN, v)
				} else {
					err = im.w.AddMember(g.DN, v)
				}
				if err != nil {
					return err
				}
			}
			if m.Op == "delete" && len(m.Values) == 0 {
				if err := im.w.ClearMembers(g.DN); err != nil {
					return err
				}
			}
		case "samaccountname":
			if m.Op != "delete" && len(m.Values) > 0 {
				g.SamAccountName = m.Values[0]
			}
		case "displayname":
			if m.Op != "delete" && len(m.Values) > 0 {
				g.DisplayName = m.Values[0]
			} else {
				g.DisplayName = ""
			}
		case "description":
			if m.Op != "delete" && len(m.Values) > 0 {
				g.Description = m.Values[0]
			} else {
				g.Description = ""
			}
		}
	}
	if _, err := im.w.PutGroup(g); err != nil {
		return im.dbProblem(e, err)
	}
	im.res.Groups++
	return nil
}

func (im *importer) noteDomain(dn string) {
	if im.domainDN == "" {
		im.domainDN = store.DomainDN(dn)
	}
}

func (im *importer) ensureOU(dn, kind string) error {
	k := store.DNKey(dn)
	if im.seenOU[k] && kind != "ou" {
		return nil
	}
	if err := im.tx.EnsureOU(dn, kind); err != nil {
		return err
	}
	if !im.seenOU[k] {
		im.seenOU[k] = true
		im.res.OUs++
	}
	return nil
}

// ensureParents records every container above dn: OU= parents as OUs,
// other RDNs as containers, and the DC= part as the domain.
func (im *importer) ensureParents(dn string) error {
	rdns := store.SplitDN(dn)
	for i := 1; i < len(rdns); i++ {
		t := store.RDNType(rdns[i])
		parent := store.JoinDN(rdns[i:])
		if im.seenOU[store.DNKey(parent)] {
			return nil // its own parents were recorded with it
		}
		switch t {
		case "DC":
			return im.ensureOU(parent, "domain")
		case "OU":
			if err := im.ensureOU(parent, "ou"); err != nil {
				return err
			}
		default:
			if err := im.ensureOU(parent, "container"); err != nil {
				return err
			}
		}
	}
	return nil
}

func (im *importer) finish() error {
	for _, p := range im.memberOf {
		if !validDN(p[0]) {
			continue
		}
		if err := im.w.AddMember(p[0], p[1]); err != nil {
			return err
		}
	}
	nb := strings.TrimSpace(im.opts.NetBiosName)
	cur, _, err := im.tx.Setting(store.SettingNetBIOS)
	if err != nil {
		return err
	}
	if nb == "" && cur == "" && im.domainDN != "" {
		nb = store.NetBIOSFromDN(im.domainDN)
	}
	if nb != "" && nb != cur {
		if err := im.tx.SetSetting(store.SettingNetBIOS, nb); err != nil {
			return err
		}
		cur = nb
	}
	im.res.NetBiosName = cur
	if site := strings.TrimSpace(im.opts.SiteName); site != "" {
		if err := im.tx.SetSetting(store.SettingSite, site); err != nil {
			return err
		}
	}
	if im.domainDN != "" {
		if d, _, err := im.tx.Setting(store.SettingDomainDN); err != nil {
			return err
		} else if d == "" {
			return im.tx.SetSetting(store.SettingDomainDN, im.domainDN)
		}
	}
	return nil
}
