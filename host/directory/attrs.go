package directory

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"pinsh/host/object"
	"pinsh/host/store"
)

// UserAttributes presents a store user under its LDAP attribute names, for
// [Filter.Match]: dn/distinguishedName, cn/name, objectGUID,
// sAMAccountName, userPrincipalName, displayName, givenName, sn, mail,
// telephoneNumber, department, title, l, msRTCSIP-PrimaryUserAddress,
// msRTCSIP-UserEnabled (TRUE/FALSE), msRTCSIP-Line,
// msRTCSIP-PrimaryHomeServer, msRTCSIP-OptionFlags (128 when Enterprise
// Voice is enabled), objectClass, objectCategory (person), memberOf (when
// MemberOf is set) and the extra attributes kept by the import.
type UserAttributes struct {
	U *store.User
	// MemberOf, when set, returns the DNs of the groups the user belongs
	// to (pinsh passes nested memberships too); it is called only by
	// filters on memberOf.
	MemberOf func() []string
}

var userClasses = []string{"top", "person", "organizationalPerson", "user"}

func one(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// Values returns the values of the named attribute.
func (a UserAttributes) Values(name string) []string {
	u := a.U
	switch object.Fold(name) {
	case "dn", "distinguishedname":
		return one(u.DN)
	case "cn", "name":
		if rdns := store.SplitDN(u.DN); len(rdns) > 0 {
			return one(store.RDNValue(rdns[0]))
		}
		return nil
	case "objectguid":
		return one(u.GUID)
	case "samaccountname":
		return one(u.SamAccountName)
	case "userprincipalname":
		return one(u.UserPrincipalName)
	case "displayname":
		return one(u.DisplayName)
	case "givenname":
		return one(u.GivenName)
	case "sn":
		return one(u.Surname)
	case "mail":
		return one(u.Mail)
	case "telephonenumber":
		return one(u.Telephone)
	case "department":
		return one(u.Department)
	case "title":
		return one(u.Title)
	case "l":
		return one(u.City)
	case "msrtcsip-primaryuseraddress":
		return one(u.SipAddress)
	case "msrtcsip-userenabled":
		if u.Enabled {
			return []string{"TRUE"}
		}
		return []string{"FALSE"}
	case "msrtcsip-line":
		return one(u.LineURI)
	case "msrtcsip-primaryhomeserver":
		return one(u.RegistrarPool)
	case "msrtcsip-optionflags":
		if u.EnterpriseVoiceEnabled {
			return []string{"128"}
		}
		return []string{"0"}
	case "objectclass":
		return userClasses
	case "objectcategory":
		return []string{"person"}
	case "memberof":
		if a.MemberOf != nil {
			return a.MemberOf()
		}
		return nil
	}
	var out []string
	for _, x := range u.Extra {
		if strings.EqualFold(x.Name, name) {
			out = append(out, x.Value)
		}
	}
	return out
}

// skipExtra lists attributes that are neither mapped to a user field nor
// worth keeping for filters (bookkeeping and binary data).
var skipExtra = map[string]bool{}

func init() {
	for _, a := range []string{"dn", "objectclass", "objectcategory", "cn", "name", "distinguishedname",
		"member", "memberof", "instancetype", "whencreated", "whenchanged", "usncreated", "usnchanged",
		"objectsid", "useraccountcontrol", "badpwdcount", "codepage", "countrycode", "badpasswordtime",
		"lastlogoff", "lastlogon", "lastlogontimestamp", "pwdlastset", "primarygroupid", "accountexpires",
		"logoncount", "samaccounttype", "dscorepropagationdata", "msrtcsip-optionflags", "objectguid",
		"usercertificate", "thumbnailphoto", "jpegphoto", "msexchmailboxguid", "mssfu30name",
		"showinadvancedviewonly", "iscriticalsystemobject", "admincount", attrEnterpriseVoiceFold} {
		skipExtra[a] = true
	}
}

var attrEnterpriseVoiceFold = object.Fold(attrEnterpriseVoice)

// attrKeys caches the folded form of attribute names: an import folds
// the same few names (as the file spells them) millions of times.
var attrKeys struct {
	sync.Mutex
	m map[string]string
}

// attrKey returns object.Fold(name), from the cache when it can.
func attrKey(name string) string {
	attrKeys.Lock()
	k, ok := attrKeys.m[name]
	attrKeys.Unlock()
	if ok {
		return k
	}
	k = object.Fold(name)
	attrKeys.Lock()
	if attrKeys.m == nil {
		attrKeys.m = map[string]string{}
	}
	if len(attrKeys.m) < 4096 { // a hostile file may invent names
		attrKeys.m[strings.Clone(name)] = k
	}
	attrKeys.Unlock()
	return k
}

// parseGUID reads an objectGUID given as 16 raw bytes (Active Directory's
// mixed-endian layout, as ldifde exports it base64-encoded) or as text
// ("{...}" optional) and returns it in canonical lower-case text form.
func parseGUID(v string) (string, error) {
	if len(v) == 16 {
		b := []byte(v)
		return fmt.Sprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]), nil
	}
	t := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "{"), "}")
	if len(t) == 36 && t[8] == '-' && t[13] == '-' && t[18] == '-' && t[23] == '-' {
		ok := true
		for i := 0; i < len(t); i++ {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				continue
			}
			if !isHexDigit(t[i]) {
				ok = false
			}
		}
		if ok {
			return strings.ToLower(t), nil
		}
	}
	printable := utf8.ValidString(v)
	for _, r := range v {
		if r < 0x20 {
			printable = false
		}
	}
	if printable {
		return "", fmt.Errorf("objectGUID %q is neither 16 bytes nor a GUID", clip(v))
	}
	return "", fmt.Errorf("objectGUID is %d bytes, not 16", len(v))
}

func parseBool(attr, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "$true", "yes":
		return true, nil
	case "false", "0", "$false", "no", "":
		return false, nil
	}
	return false, fmt.Errorf("%s must be TRUE or FALSE, not %q", attr, clip(v))
}

// setUserAttr applies one attribute value to a user; values of unknown
// attributes become extra attributes. It returns an error for a value the
// attribute cannot take.
func setUserAttr(u *store.User, name, value string) error {
	text := func() (string, error) {
		if !utf8.ValidString(value) {
			return "", fmt.Errorf("the value of %s is not valid UTF-8", name)
		}
		return strings.TrimSpace(value), nil
	}
	var err error
	switch k := attrKey(name); k {
	case "objectguid":
		if value == "" {
			u.GUID = ""
			return nil
		}
		u.GUID, err = parseGUID(value)
	case "samaccountname":
		u.SamAccountName, err = text()
	case "userprincipalname":
		u.UserPrincipalName, err = text()
	case "displayname":
		u.DisplayName, err = text()
	case "givenname":
		u.GivenName, err = text()
	case "sn":
		u.Surname, err = text()
	case "mail":
		u.Mail, err = text()
	case "telephonenumber":
		u.Telephone, err = text()
	case "department":
		u.Department, err = text()
	case "title":
		u.Title, err = text()
	case "l":
		u.City, err = text()
	case "msrtcsip-primaryuseraddress":
		var s string
		if s, err = text(); err == nil {
			u.SipAddress = store.NormSIP(s)
		}
	case "msrtcsip-userenabled":
		u.Enabled, err = parseBool(name, value)
	case "msrtcsip-line":
		u.LineURI, err = text()
	case "msrtcsip-primaryhomeserver":
		u.RegistrarPool, err = text()
	case "msrtcsip-optionflags":
		if strings.TrimSpace(value) == "" {
			u.EnterpriseVoiceEnabled = false
			return nil
		}
		n, perr := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if perr != nil {
			return fmt.Errorf("msRTCSIP-OptionFlags must be a number, not %q", clip(value))
		}
		u.EnterpriseVoiceEnabled = n&128 != 0
	case attrEnterpriseVoiceFold:
		u.EnterpriseVoiceEnabled, err = parseBool("EnterpriseVoiceEnabled", value)
	default:
		if skipExtra[k] || !utf8.ValidString(value) || len(value) > 1024 || value == "" {
			return nil
		}
		u.Extra = append(u.Extra, store.Attr{Name: name, Value: value})
	}
	return err
}

// clearUserAttr removes an attribute's value(s) from a user (a value of ""
// removes all of an extra attribute's values).
func clearUserAttr(u *store.User, name, value string) error {
	k := object.Fold(name)
	switch k {
	case "msrtcsip-userenabled":
		u.Enabled = false
		return nil
	case "msrtcsip-optionflags", attrEnterpriseVoiceFold:
		u.EnterpriseVoiceEnabled = false
		return nil
	}
	if _, known := userFieldNames[k]; known {
		return setUserAttr(u, name, "")
	}
	out := u.Extra[:0]
	for _, x := range u.Extra {
		if strings.EqualFold(x.Name, name) && (value == "" || x.Value == value) {
			continue
		}
		out = append(out, x)
	}
	u.Extra = out
	return nil
}

var userFieldNames = map[string]bool{"objectguid": true, "samaccountname": true, "userprincipalname": true,
	"displayname": true, "givenname": true, "sn": true, "mail": true, "telephonenumber": true,
	"department": true, "title": true, "l": true, "msrtcsip-primaryuseraddress": true,
	"msrtcsip-line": true, "msrtcsip-primaryhomeserver": true}
