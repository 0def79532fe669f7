package plugin

import (
	"fmt"
	"regexp"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/sdk/abi"
)

var (
	pluginNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	cmdletNameRe = regexp.MustCompile(`^[A-Za-z]+-[A-Za-z][A-Za-z0-9]*$`)
	aliasRe      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,63}$`)
	paramNameRe  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,63}$`)
)

// maxText bounds the help texts a manifest may carry.
const maxText = 8192

// fromManifest builds a plugin from its encoded manifest, validating every
// field: the same rules apply to a manifest read from the cache, so a
// corrupted cache cannot smuggle in what the plugin could not.
func (m *Manager) fromManifest(path, hash string, raw []byte) (*Plugin, error) {
	var d decoder
	v, err := d.decode(raw)
	if err != nil {
		return nil, fileErrorf(path, err, "declares a malformed manifest: %v", err)
	}
	mf := &mreader{}
	h := mf.table(v, "manifest")
	p := &Plugin{Path: path, Hash: hash, m: m}
	p.ABI = int(mf.int(h, abi.KeyABI))
	p.Name = mf.str(h, abi.KeyName)
	p.Version = mf.str(h, abi.KeyVersion)
	p.Capabilities = mf.strs(h, abi.KeyCapabilities)
	if mf.err == nil && p.ABI>>16 != abi.Major {
		return nil, fileErrorf(path, nil, "speaks plugin ABI %d.%d; this pinsh speaks ABI %d (rebuild the plugin with a matching SDK)", p.ABI>>16, p.ABI&0xffff, abi.Major)
	}
	if mf.err == nil && p.ABI&0xffff > abi.Minor {
		return nil, fileErrorf(path, nil, "speaks plugin ABI %d.%d; this pinsh speaks ABI %d.%d (use a newer pinsh)", p.ABI>>16, p.ABI&0xffff, abi.Major, abi.Minor)
	}
	if mf.err == nil && !pluginNameRe.MatchString(p.Name) {
		mf.fail("the plugin name %q is not a simple name (letters, digits, . _ -)", p.Name)
	}
	for _, c := range p.Capabilities {
		if mf.err == nil && capBit(c) == 0 {
			mf.fail("requests the unknown capability %q (known: %s)", c, strings.Join(abi.Capabilities, ", "))
		}
	}
	cmds := mf.list(h, abi.KeyCmdlets)
	if mf.err == nil && len(cmds) == 0 {
		mf.fail("declares no cmdlet")
	}
	seen := map[string]bool{}
	for i, cv := range cmds {
		if mf.err != nil {
			break
		}
		ch := mf.table(cv, fmt.Sprintf("cmdlet %d", i+1))
		in := &cmdlet.Info{
			Name:                  mf.str(ch, abi.KeyCmdletName),
			Aliases:               mf.strs(ch, abi.KeyAliases),
			Synopsis:              mf.text(ch, abi.KeySynopsis),
			Description:           mf.text(ch, abi.KeyDescription),
			DefaultSet:            mf.str(ch, abi.KeyDefaultSet),
			SupportsShouldProcess: mf.bool(ch, abi.KeyShouldProc),
			Pure:                  mf.bool(ch, abi.KeyReadOnly), // enforced by the host functions
			ConfirmImpact:         cmdlet.Impact(mf.int(ch, abi.KeyImpact)),
			OutputType:            mf.str(ch, abi.KeyOutputType),
			Source:                p.Name,
		}
		if mf.err != nil {
			break
		}
		if !cmdletNameRe.MatchString(in.Name) {
			mf.fail("declares the cmdlet name %q, which is not Verb-Noun", in.Name)
			break
		}
		if seen[strings.ToLower(in.Name)] {
			mf.fail("declares the cmdlet %s twice", in.Name)
			break
		}
		seen[strings.ToLower(in.Name)] = true
		for _, a := range in.Aliases {
			if !aliasRe.MatchString(a) {
				mf.fail("gives %s the alias %q, which is not a simple name", in.Name, a)
			}
		}
		if in.ConfirmImpact > cmdlet.ImpactHigh {
			mf.fail("gives %s an unknown ConfirmImpact %d", in.Name, in.ConfirmImpact)
		}
		for _, ev := range mf.list(ch, abi.KeyExamples) {
			eh := mf.table(ev, in.Name+" example")
			in.Examples = append(in.Examples, cmdlet.Example{Code: mf.text(eh, abi.KeyExampleCode), Remark: mf.text(eh, abi.KeyExampleNote)})
		}
		params := mf.params(in, mf.list(ch, abi.KeyParams))
		in.Params = params
		p.Cmdlets = append(p.Cmdlets, in)
		p.params = append(p.params, params)
	}
	if mf.err != nil {
		return nil, fileErrorf(path, mf.err, "declares an invalid manifest: %v", mf.err)
	}
	p.granted = capsOf(p.Capabilities)
	if m.opts.Grant != nil {
		p.granted = capsOf(m.opts.Grant(p)) & p.granted
	}
	p.Granted = p.granted.names()
	for i, in := range p.Cmdlets {
		idx := i
		in.New = func() cmdlet.Command { return m.newStage(p, idx) }
	}
	return p, nil
}

// reserved are the parameter names pinsh itself adds to every cmdlet.
var reserved = func() map[string]bool {
	r := map[string]bool{}
	for _, p := range append(append([]cmdlet.Param(nil), cmdlet.CommonParams...), cmdlet.ShouldProcessParams...) {
		r[strings.ToLower(p.Name)] = true
		for _, a := range p.Aliases {
			r[strings.ToLower(a)] = true
		}
	}
	return r
}()

func (mf *mreader) params(in *cmdlet.Info, list []object.Value) []cmdlet.Param {
	var out []cmdlet.Param
	names := map[string]bool{}
	for i, pv := range list {
		if mf.err != nil {
			return nil
		}
		ph := mf.table(pv, fmt.Sprintf("%s parameter %d", in.Name, i+1))
		p := cmdlet.Param{
			Name:               mf.str(ph, abi.KeyParamName),
			Aliases:            mf.strs(ph, abi.KeyAliases),
			Kind:               object.Kind(mf.int(ph, abi.KeyParamKind)),
			Mandatory:          mf.bool(ph, abi.KeyMandatory),
			Position:           int(mf.int(ph, abi.KeyPosition)),
			Sets:               mf.strs(ph, abi.KeySets),
			FromPipeline:       mf.bool(ph, abi.KeyFromPipeline),
			FromPipelineByName: mf.bool(ph, abi.KeyByName),
			Values:             mf.strs(ph, abi.KeyValues),
			Help:               mf.text(ph, abi.KeyHelp),
			Secret:             mf.bool(ph, abi.KeySecret),
		}
		if mf.err != nil {
			return nil
		}
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			l := strings.ToLower(n)
			switch {
			case !paramNameRe.MatchString(n):
				mf.fail("gives %s the parameter name %q, which is not a simple name", in.Name, n)
			case reserved[l]:
				mf.fail("gives %s a parameter %q, which pinsh provides itself", in.Name, n)
			case names[l]:
				mf.fail("gives %s two parameters named %q", in.Name, n)
			}
			names[l] = true
		}
		switch {
		case p.Kind > object.KindSwitch:
			mf.fail("gives %s parameter %s the unknown kind %d", in.Name, p.Name, p.Kind)
		case p.Kind == object.KindScriptBlock:
			mf.fail("gives %s parameter %s the kind ScriptBlock; script blocks cannot cross into a plugin", in.Name, p.Name)
		case p.Position < -1 || p.Position > 64:
			mf.fail("gives %s parameter %s the position %d", in.Name, p.Name, p.Position+1)
		}
		out = append(out, p)
	}
	return out
}

// mreader reads manifest fields, recording the first problem.
type mreader struct{ err error }

func (mf *mreader) fail(format string, args ...any) {
	if mf.err == nil {
		mf.err = fmt.Errorf(format, args...)
	}
}

func (mf *mreader) table(v object.Value, what string) *object.Hashtable {
	h, ok := v.(*object.Hashtable)
	if !ok && mf.err == nil {
		mf.fail("%s is %s, not a table", what, object.TypeName(v))
	}
	if h == nil {
		h = object.NewHashtable()
	}
	return h
}

func (mf *mreader) get(h *object.Hashtable, key string) object.Value {
	v, _ := h.Get(key)
	return v
}

func (mf *mreader) str(h *object.Hashtable, key string) string {
	switch v := mf.get(h, key).(type) {
	case nil:
		return ""
	case string:
		if len(v) > 256 {
			mf.fail("field %s is longer than 256 bytes", key)
		}
		return v
	default:
		mf.fail("field %s is %s, not a string", key, object.TypeName(v))
	}
	return ""
}

func (mf *mreader) text(h *object.Hashtable, key string) string {
	v, ok := mf.get(h, key).(string)
	if !ok && mf.get(h, key) != nil {
		mf.fail("field %s is not a string", key)
	}
	if len(v) > maxText {
		mf.fail("field %s is longer than %d bytes", key, maxText)
	}
	return v
}

func (mf *mreader) int(h *object.Hashtable, key string) int64 {
	switch v := mf.get(h, key).(type) {
	case nil:
		return 0
	case int64:
		return v
	default:
		mf.fail("field %s is %s, not an integer", key, object.TypeName(v))
	}
	return 0
}

func (mf *mreader) bool(h *object.Hashtable, key string) bool {
	switch v := mf.get(h, key).(type) {
	case nil:
		return false
	case bool:
		return v
	default:
		mf.fail("field %s is %s, not a boolean", key, object.TypeName(v))
	}
	return false
}

func (mf *mreader) list(h *object.Hashtable, key string) []object.Value {
	switch v := mf.get(h, key).(type) {
	case nil:
		return nil
	case []object.Value:
		return v
	default:
		mf.fail("field %s is %s, not a list", key, object.TypeName(v))
	}
	return nil
}

func (mf *mreader) strs(h *object.Hashtable, key string) []string {
	var out []string
	for _, e := range mf.list(h, key) {
		s, ok := e.(string)
		if !ok {
			mf.fail("field %s holds %s, not strings", key, object.TypeName(e))
			return nil
		}
		if len(s) > 256 {
			mf.fail("field %s holds a string longer than 256 bytes", key)
			return nil
		}
		out = append(out, s)
	}
	return out
}

// capSet is a set of capabilities.
type capSet uint8

func capBit(name string) capSet {
	for i, c := range abi.Capabilities {
		if c == name {
			return 1 << i
		}
	}
	return 0
}

func capsOf(names []string) capSet {
	var s capSet
	for _, n := range names {
		s |= capBit(n)
	}
	return s
}

func (s capSet) names() []string {
	var out []string
	for i, c := range abi.Capabilities {
		if s&(1<<i) != 0 {
			out = append(out, c)
		}
	}
	return out
}
