package rbac

import (
	"strings"

	"pinsh/host/store"
)

// Scope values as role objects show them.
const (
	// GlobalScope is the user or config scope that covers everything.
	GlobalScope = "Global"
	// OUScopePrefix starts an OU user scope: "OU:OU=Finance,DC=litwareinc,DC=com".
	OUScopePrefix = "OU:"
	// RunAs is the right, listed among a role's cmdlets, to use pinsh --as.
	RunAs = "RunAs"
)

// The local groups and standard roles, by name.
const (
	ServerAdmins   = "RTCUniversalServerAdmins"
	UserAdmins     = "RTCUniversalUserAdmins"
	ReadOnlyAdmins = "RTCUniversalReadOnlyAdmins"
	Administrator  = "CsAdministrator"
)

// Cmdlet families, so the role table below reads as policy.
var (
	userRead = []string{"Get-CsUser", "Get-CsAdUser"}
	pinRead  = []string{"Get-CsClientPinInfo"}
	pinLock  = []string{"Lock-CsClientPin", "Unlock-CsClientPin"}
	pinSet   = []string{"Set-CsClientPin"}
	pinTest  = []string{"Test-CsClientPin"}
	polRead  = []string{"Get-CsPinPolicy"}
	polGrant = []string{"Grant-CsPinPolicy"}
	polWrite = []string{"New-CsPinPolicy", "Set-CsPinPolicy", "Remove-CsPinPolicy"}
	roleRead = []string{"Get-CsAdminRole", "Get-CsAdminRoleAssignment", "Get-CsOperator"}
	// roleWrite changes who may do what.
	roleWrite = []string{"New-CsAdminRole", "Set-CsAdminRole", "Remove-CsAdminRole",
		"Set-CsOperator", "Remove-CsOperator"}
	auditRead = []string{"Get-CsAuditLog", "Test-CsAuditLog"}
	dirWrite  = []string{"Import-CsDirectory"}
	plugRead  = []string{"Get-CsPlugin"}
	plugWrite = []string{"Install-CsPlugin", "Uninstall-CsPlugin"}
	storeOps  = []string{"Backup-CsStore", "Restore-CsStore"}
)

func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// everything is every cmdlet pinsh has that acts on the store, plus RunAs.
func everything() []string {
	return join(userRead, pinRead, pinLock, pinSet, pinTest, polRead, polGrant,
		polWrite, roleRead, roleWrite, auditRead, dirWrite, plugRead, plugWrite,
		storeOps, []string{RunAs})
}

// roleSpec is one standard role: its summary and cmdlets. Every standard
// role has a global user and config scope.
type roleSpec struct {
	name, summary string
	cmdlets       []string
}

// standard is the role table. The choices the reference leaves open are
// written down in docs/RBAC.md; in short:
//   - the local groups follow the "Who can run" lines of the Lync 2010
//     pages: PIN cmdlets and policy changes are for RTCUniversalServerAdmins,
//     Grant-CsPinPolicy and policy reads for RTCUniversalUserAdmins too;
//   - CsAdministrator and RTCUniversalServerAdmins hold everything, and only
//     they may run a plugin cmdlet that no role lists yet;
//   - CsUserAdministrator sets, reads, locks and unlocks PINs and grants
//     policies; CsHelpDesk reads, locks and unlocks but cannot set;
//   - CsViewOnlyAdministrator and RTCUniversalReadOnlyAdmins only read,
//     PIN information included (the read-only operator);
//   - CsServerAdministrator manages PIN policies and plugins, not PINs;
//   - the voice, archiving, response group, location and persistent chat
//     roles read users only.
var standard = []roleSpec{
	{ServerAdmins, "local group: full control of the store", everything()},
	{UserAdmins, "local group: users and policy assignment",
		join(userRead, polRead, polGrant, roleRead)},
	{ReadOnlyAdmins, "local group: read-only",
		join(userRead, pinRead, polRead, roleRead, plugRead)},
	{Administrator, "everything, including roles and assignments", everything()},
	{"CsUserAdministrator", "users, their PINs and policy assignment",
		join(userRead, pinRead, pinSet, pinLock, polRead, polGrant, roleRead)},
	{"CsVoiceAdministrator", "voice settings and policies", userRead},
	{"CsServerAdministrator", "servers, services, PIN policies and plugins",
		join(userRead, polRead, polWrite, plugRead, plugWrite, roleRead, storeOps[:1])},
	{"CsViewOnlyAdministrator", "read-only view of users and PIN state",
		join(userRead, pinRead, polRead, roleRead, plugRead)},
	{"CsHelpDesk", "view users and PIN state, lock and unlock PINs",
		join(userRead, pinRead, pinLock, polRead)},
	{"CsArchivingAdministrator", "archiving configuration and policies", userRead},
	{"CsResponseGroupAdministrator", "Response Group configuration", userRead},
	{"CsLocationAdministrator", "E9-1-1 locations", userRead},
	{"CsResponseGroupManager", "specific response groups", userRead},
	{"CsPersistentChatAdministrator", "Persistent Chat", userRead},
}

// StandardRoles returns the standard roles and local groups as stored.
func StandardRoles() []*store.Role {
	out := make([]*store.Role, 0, len(standard))
	for i, s := range standard {
		out = append(out, &store.Role{
			Name:         s.name,
			SID:          standardSID(i),
			IsStandard:   true,
			Description:  s.summary,
			Cmdlets:      append([]string(nil), s.cmdlets...),
			UserScopes:   []string{GlobalScope},
			ConfigScopes: []string{GlobalScope},
		})
	}
	return out
}

// IsStandard reports whether name is a standard role or local group.
func IsStandard(name string) bool {
	for _, s := range standard {
		if strings.EqualFold(s.name, name) {
			return true
		}
	}
	return false
}

// standardSID gives each standard role a stable, clearly synthetic SID.
func standardSID(i int) string {
	return "S-1-5-21-0-0-0-" + itoa(1100+i)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
