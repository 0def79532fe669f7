package engine

import "testing"

// TestPowerShellDetails covers details found by the transcript tests:
// each case is what PowerShell prints for the script.
func TestPowerShellDetails(t *testing.T) {
	checkCases(t, []tcase{
		{name: "typed parameters default to their zero value",
			script: "function f { param([int]$n, [string]$s, [double]$d, [bool]$b, $any) \"[$n][$s][$d][$b][$($any -eq $null)]\"; $s -eq $null }; f",
			out:    lines("[0][][0][False][True]", "False")},
		{name: "pipeline parameters get their default back for each object",
			script: "function f { param([Parameter(ValueFromPipelineByPropertyName)]$Name, [Parameter(ValueFromPipelineByPropertyName)][int]$Age = 18) process { \"$Name $Age\" } }\n" +
				"[pscustomobject]@{Name='a'; Age=41}, [pscustomobject]@{Name='b'} | f",
			out: lines("a 41", "b 18")},
		{name: "command-line value stays for every object",
			script: "function f { param([Parameter(ValueFromPipelineByPropertyName)]$Name, [Parameter(ValueFromPipelineByPropertyName)][int]$Age = 18) process { \"$Name $Age\" } }\n" +
				"[pscustomobject]@{Name='a'}, [pscustomobject]@{Name='b'} | f -Age 7",
			out: lines("a 7", "b 7")},
		{name: "ErrorVariable of a function collects the errors written inside it",
			script: "function f { [CmdletBinding()] param() Write-Error 'inner' }; f -ErrorVariable ev -ErrorAction SilentlyContinue; $ev.Count; \"$ev\"",
			out:    lines("1", "inner")},
		{name: "dates in strings use the invariant culture",
			script: "$d = [datetime]'2012-09-25 13:35:03'; \"$d\"; [string]$d; $d.ToString()",
			out:    lines("09/25/2012 13:35:03", "09/25/2012 13:35:03", "9/25/2012 1:35:03 PM")},
		{name: "date arithmetic gives a TimeSpan",
			script: "$a = [datetime]'2012-09-25 13:35:03'; $b = [datetime]'2012-09-20 10:00:00'; $s = $a - $b; \"$s\"; $s.Days; $s.TotalHours; ($b - $a).ToString(); ($b + $s).ToString('yyyy-MM-dd HH:mm:ss'); ($a - $s - $s).Day; \"$($s + $s)\"",
			out:    lines("5.03:35:03", "5", "123.584166666667", "-5.03:35:03", "2012-09-25 13:35:03", "15", "10.07:10:06")},
		{name: "doubles show 15 significant digits",
			script: "1/3; 0.1 + 0.2; 2/3; 1e15; 123456789012345; 9223372036854775807 + 1; 1e-5",
			out:    lines("0.333333333333333", "0.3", "0.666666666666667", "1E+15", "123456789012345", "9.22337203685478E+18", "1E-05")},
		{name: "case-sensitive ordering puts lower case first",
			script: "'a' -clt 'A'; 'B' -cgt 'b'; 'a' -lt 'B'; 'a' -gt 'A'; 'a' -ge 'A'",
			out:    lines("True", "True", "True", "False", "True")},
		{name: "an object's array property shows as System.Object[]",
			script: "\"$([pscustomobject]@{ A = 1; L = 1, 2 })\"",
			out:    lines("@{A=1; L=System.Object[]}")},
		{name: "PSTypeNames",
			script: "([pscustomobject]@{ A = 1 }).PSTypeNames[0]",
			out:    lines("System.Management.Automation.PSCustomObject")},
		{name: "cast errors in PowerShell's words",
			script: "[datetime]'soon'",
			err:    "Cannot convert value \"soon\" to type \"System.DateTime\". Error: \"String was not recognized as a valid DateTime.\"\nAt line:1 char:1\n", code: 1},
	})
}
