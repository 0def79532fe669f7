package plugin

import (
	"context"
	"errors"

	"pinsh/host/plugin/instrument"
	"pinsh/sdk/abi"
)

// EmbedManifest returns module with its manifest in the custom section
// abi.ManifestSection (replacing any), as its own pinsh_describe returns
// it, so that pinsh reads it without compiling or running the module: a
// new plugin is then ready in milliseconds instead of a quarter of a
// second. The module is validated as Discover validates it.
func EmbedManifest(ctx context.Context, path string, module []byte) ([]byte, error) {
	m, err := NewManager(Options{Services: noServices{}, CacheDir: "-", SearchPath: []string{}})
	if err != nil {
		return nil, err
	}
	defer m.Close(context.WithoutCancel(ctx))
	// Without the old section, the module is asked.
	bare, err := instrument.WithCustomSection(module, abi.ManifestSection, nil)
	if err != nil {
		return nil, fileErrorf(path, err, "%s", refusal(err))
	}
	_, raw, _, err := m.readManifest(ctx, path, "", bare)
	if err != nil {
		return nil, err
	}
	return instrument.WithCustomSection(module, abi.ManifestSection, raw)
}

// noServices serves no plugin: EmbedManifest runs only pinsh_describe,
// during which no stage exists and every host call stops the guest.
type noServices struct{}

var errNoServices = errors.New("no host services while reading a manifest")

func (noServices) ResolveUsers(context.Context, Call, string) ([]*User, error) {
	return nil, errNoServices
}
func (noServices) PinInfo(context.Context, Call, *User) (*PinInfo, error) { return nil, errNoServices }
func (noServices) Policy(context.Context, Call, *User) (*Policy, error)   { return nil, errNoServices }
func (noServices) PrepareSet(context.Context, Call, *User, string, bool) (PendingSet, string, error) {
	return nil, "", errNoServices
}
func (noServices) CommitSets(_ context.Context, _ Call, sets []PendingSet) []error {
	errs := make([]error, len(sets))
	for i := range errs {
		errs[i] = errNoServices
	}
	return errs
}
func (noServices) Lock(context.Context, Call, *User) error   { return errNoServices }
func (noServices) Unlock(context.Context, Call, *User) error { return errNoServices }
