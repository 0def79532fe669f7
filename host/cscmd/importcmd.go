package cscmd

import (
	"fmt"

	"pinsh/host/cmdlet"
	"pinsh/host/directory"
	"pinsh/host/object"
	"pinsh/host/store"
)

func importInfo(d *Deps) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Import-CsDirectory",
		Synopsis: "Loads or updates users, OUs and groups from an LDIF or CSV file.",
		Description: "Imports an LDIF export (as ldifde writes it) or a CSV file whose header names user properties, " +
			"in one transaction. Existing users and groups are updated in place (matched by objectGUID, else by DN). " +
			"Malformed entries are skipped and reported with their file and line; a summary line counts what was done.",
		Params: []cmdlet.Param{
			{Name: "Path", Kind: object.KindString, Mandatory: true, Position: 0, FromPipelineByName: true,
				Aliases: []string{"FullName"}, Help: "The LDIF (.ldf, .ldif) or CSV (.csv) file."},
			{Name: "NetBiosName", Kind: object.KindString, Position: -1,
				Help: "The NetBIOS domain name for domain\\logon identities; by default the first DC= label of the domain."},
			{Name: "SiteName", Kind: object.KindString, Position: -1,
				Help: "The Lync site of the store's users: its site:<name> PIN policy applies to users without a per-user policy."},
			{Name: "Format", Kind: object.KindString, Position: -1, Values: []string{"Ldif", "Csv"},
				Help: "The file format, when the extension does not say."},
		},
		SupportsShouldProcess: true,
		ConfirmImpact:         cmdlet.ImpactMedium,
		OutputType:            "System.String",
		Source:                "builtin",
		Examples: []cmdlet.Example{
			{Code: "Import-CsDirectory -Path litware.ldf", Remark: "Imports the demo directory."},
			{Code: "Import-CsDirectory users.csv -NetBiosName LITWARE", Remark: "Imports users from CSV and sets the NetBIOS name."},
		},
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				return runImport(d, rt, a)
			}}
		},
	}
}

func runImport(d *Deps, rt cmdlet.Runtime, a *cmdlet.Args) error {
	path := a.String("Path")
	if ok, err := d.allow(rt, rt.CommandName(), nil); err != nil || !ok {
		return err
	}
	if ok, err := d.shouldProcess(rt, a, path, "Import"); err != nil || !ok {
		return err
	}
	res, err := directory.Import(rt.Context(), d.Store, path, directory.Options{
		NetBiosName: a.String("NetBiosName"),
		SiteName:    a.String("SiteName"),
		Format:      a.String("Format"),
		Audit:       &store.AuditRecord{Operator: rt.Operator(), OSAccount: d.OSAccount, Cmdlet: rt.CommandName()},
	})
	if err != nil {
		d.audit(rt, store.AuditRecord{Target: path, Action: "Import", Outcome: store.OutcomeFailure, Detail: err.Error()})
		return cmdlet.NewError(cmdlet.InvalidData, "DirectoryImportFailed", path, err)
	}
	for _, p := range res.Problems {
		if err := rt.WriteError(cmdlet.NewError(cmdlet.InvalidData, "DirectoryEntrySkipped", fmt.Sprintf("%s:%d", p.File, p.Line), p)); err != nil {
			return err
		}
	}
	if res.MoreProblems > 0 {
		rt.WriteWarning(fmt.Sprintf("%d more skipped entries are not shown.", res.MoreProblems))
	}
	return rt.WriteObject(res.String())
}
