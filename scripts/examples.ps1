# The reference's examples for Set-CsClientPin and the Get-CsAdminRole query,
# run against the demo store (`make demo`). Each command is pasted verbatim
# from the documentation, en dash included.

Write-Host "== Example 1: an auto-generated PIN for Ken Myer"
Set-CsClientPin -Identity "litwareinc\kenmyer"

Write-Host "== Example 2: a PIN chosen by the administrator"
Set-CsClientPin -Identity "litwareinc\kenmyer" -Pin 18723834

Write-Host "== Ken Myer's PIN information"
Get-CsClientPinInfo -Identity "Ken Myer"

Write-Host "== Example 3: new PINs for everyone in the Finance OU"
Get-CsUser -OU "OU=Finance,DC=litwareinc,DC=com" | Set-CsClientPin

Write-Host "== Example 4: PINs for every user who has none"
Get-CsUser | Get-CsClientPinInfo | Where-Object {$_.IsPinSet -eq $False} | Set-CsClientPin

Write-Host "== Users still without a PIN"
Get-CsUser | Get-CsClientPinInfo | Where-Object {$_.IsPinSet -eq $False} | Measure-Object

Write-Host "== Roles that may run Set-CsClientPin"
Get-CsAdminRole | Where-Object {$_.Cmdlets –match "Set-CsClientPin"}
