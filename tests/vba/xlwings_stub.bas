Attribute VB_Name = "xlwings"
' Stand-ins for the functions of xlwings.bas that Verksamhetsplan.bas calls, so LibreOffice's VBA
' runner can run the buttons' own VBA in tests/test_vba_rule.py (xlwings.bas itself does not
' compile there: conditional compilation and Windows API declarations). StubSet gives GetConfig
' and GetFullName their answers; RunPython and RunFrozenPython record how they were called.
Option Explicit

Private settings As String  ' lines "name<TAB>value"; the last one for a name wins
Private calls As String

Public Sub StubSet(ByVal name As String, ByVal value As String)
    settings = vbLf & name & vbTab & value & settings
End Sub

Private Function Setting(ByVal name As String) As String
    Dim i As Long, j As Long
    i = InStr(1, settings, vbLf & name & vbTab)
    If i = 0 Then Exit Function
    i = i + Len(name) + 2
    j = InStr(i, settings, vbLf)
    If j = 0 Then j = Len(settings) + 1
    Setting = Mid$(settings, i, j - i)
End Function

Public Function StubCalls() As String
    StubCalls = calls
    calls = ""
End Function

Public Function GetConfig(configKey As String, Optional default As String = "", Optional source As String = "") As Variant
    GetConfig = Setting("config:" & configKey)
    If Len(GetConfig) = 0 Then GetConfig = default
End Function

Public Function GetFullName(wb As Object) As String
    GetFullName = Setting("fullname")
End Function

Public Function GetDirectory(Path)
    GetDirectory = Left(Path, InStrRev(Path, "\"))
End Function

Public Function ExpandEnvironmentStrings(ByVal s As String)
    ' %NAME% from the environment, as WScript.Shell's ExpandEnvironmentStrings does
    Dim i As Long, j As Long, out As String
    i = 1
    Do
        j = InStr(i, s, "%")
        If j = 0 Then Exit Do
        Dim k As Long
        k = InStr(j + 1, s, "%")
        If k = 0 Then Exit Do
        out = out & Mid$(s, i, j - i)
        If Len(Environ(Mid$(s, j + 1, k - j - 1))) > 0 Then
            out = out & Environ(Mid$(s, j + 1, k - j - 1))
        Else
            out = out & Mid$(s, j, k - j + 1)
        End If
        i = k + 1
    Loop
    ExpandEnvironmentStrings = out & Mid$(s, i)
End Function

Public Function RunPython(PythonCommand As String)
    calls = calls & "RunPython|" & PythonCommand & vbLf
End Function

Public Function RunFrozenPython(Executable As String, Optional Args As String)
    If Setting("raise") <> "" Then Err.Raise CLng(Setting("raise"))
    calls = calls & "RunFrozenPython|" & Executable & "|" & Args & vbLf
End Function
