package rbac

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"

	"pinsh/host/object"
	"pinsh/host/store"
)

// seedVersion is bumped whenever the standard role table changes, so that
// existing stores get the new cmdlet lists on their next open.
const seedVersion = "1"

// OperatorsContainer holds the principals pinsh creates for bootstrap
// administrators, outside the imported domain.
const OperatorsContainer = "CN=Operators,CN=pinsh"

// SeedRoles stores the standard roles when the store lacks them or holds an
// older table. A standard role's ScriptModules, the one list an
// administrator may change, are kept.
func SeedRoles(ctx context.Context, st *store.Store) error {
	v, _, err := st.Setting(ctx, "rbac_seed")
	if err != nil {
		return err
	}
	if v == seedVersion {
		return nil
	}
	existing := map[string]*store.Role{}
	if err := st.EachRole(ctx, func(r *store.Role) error {
		existing[object.Fold(r.Name)] = r
		return nil
	}); err != nil {
		return err
	}
	return st.Write(ctx, func(tx *store.Tx) error {
		for _, r := range StandardRoles() {
			if old := existing[object.Fold(r.Name)]; old != nil {
				r.ScriptModules = old.ScriptModules
			}
			if err := tx.PutRole(r); err != nil {
				return err
			}
		}
		return tx.SetSetting("rbac_seed", seedVersion)
	})
}

// OSAccount returns the name of the OS account running pinsh.
func OSAccount() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "uid:" + strconv.Itoa(os.Getuid())
}

// BootstrapPrincipal is the principal pinsh creates for the OS account
// that creates a store.
func BootstrapPrincipal(osAccount string) string {
	return "CN=" + escapeRDN(osAccount) + "," + OperatorsContainer
}

func escapeRDN(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `,`, `\,`, `+`, `\+`, `"`, `\"`, `<`, `\<`, `>`, `\>`, `;`, `\;`, `=`, `\=`)
	return r.Replace(s)
}

// Bootstrap makes the OS account that created the store its first
// administrator: a principal in RTCUniversalServerAdmins, mapped to the
// account. It does nothing when the store already has operators.
func Bootstrap(ctx context.Context, st *store.Store, osAccount string) error {
	any := false
	if err := st.EachOperator(ctx, func(*store.Operator) error {
		any = true
		return errStop
	}); err != nil && !errors.Is(err, errStop) {
		return err
	}
	if any {
		return nil
	}
	principal := BootstrapPrincipal(osAccount)
	groupDN := "CN=" + ServerAdmins + "," + OperatorsContainer
	return st.Write(ctx, func(tx *store.Tx) error {
		w, err := tx.DirectoryWriter()
		if err != nil {
			return err
		}
		defer w.Close()
		if _, err := w.PutGroup(&store.Group{DN: groupDN, SamAccountName: ServerAdmins,
			Description: "pinsh bootstrap administrators"}); err != nil {
			return err
		}
		if err := w.AddMember(groupDN, principal); err != nil {
			return err
		}
		if err := tx.PutOperator(&store.Operator{OSAccount: osAccount, Principal: principal,
			CreatedBy: osAccount, Note: "bootstrap administrator (created the store)"}); err != nil {
			return err
		}
		return tx.AppendAudit(&store.AuditRecord{Operator: principal, OSAccount: osAccount,
			Cmdlet: "pinsh", Target: osAccount, Action: "bootstrap operator", Outcome: "Success"})
	})
}

var errStop = errors.New("stop")

// NotOperatorError says an OS account has no principal in this store.
type NotOperatorError struct {
	OSAccount string
	Store     string
}

func (e *NotOperatorError) Error() string {
	return fmt.Sprintf("the OS account %q is not an operator of this store (%s); an administrator can map it with Set-CsOperator -OSAccount %s -Identity <user>",
		e.OSAccount, e.Store, e.OSAccount)
}

// Operator resolves the principal an OS account runs as.
func Operator(ctx context.Context, st *store.Store, osAccount string) (string, error) {
	op, err := st.OperatorFor(ctx, osAccount)
	if err != nil {
		return "", err
	}
	if op == nil {
		return "", &NotOperatorError{OSAccount: osAccount, Store: st.Path()}
	}
	return op.Principal, nil
}
