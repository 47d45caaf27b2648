Attribute VB_Name = "Programsok"
' vpexcel: the one rule for finding the packaged program, and how a button's text is handed
' to Python. Pure string functions (no file, no Excel object), so that LibreOffice's VBA runner
' can run them in the tests (tests/test_vba_rule.py) against the same rule in Python
' (vpexcel/excel/lookup.py). Verksamhetsplan.bas calls them for the add-in and the sheet buttons.
'
' The places, in order: the setting VPEXCEL_PROGRAM; vpexcel\vpexcel.exe beside the workbook
' that holds this VBA; the same in the folder above it; %LOCALAPPDATA%\vpexcel\vpexcel\vpexcel.exe.
' A web address (OneDrive, SharePoint: https://...) is never a place; no file function is
' ever called on one.
Option Explicit

Public Const PROGRAM_I_MAPP As String = "vpexcel\vpexcel.exe"
Public Const INSTALLATIONSMAPP As String = "vpexcel"
Public Const ARGUMENT_PREFIX As String = "u16:"

Public Function ArLokalSokvag(ByVal path As String) As Boolean
    ' True for a path file functions may be called on: not empty and not a web address.
    ArLokalSokvag = False
    If Len(path) = 0 Then Exit Function
    If InStr(1, path, "://") > 0 Then Exit Function
    ArLokalSokvag = True
End Function

Public Function UtanSnedstreck(ByVal folder As String) As String
    Dim f As String
    f = folder
    Do While Right$(f, 1) = "\"
        f = Left$(f, Len(f) - 1)
    Loop
    UtanSnedstreck = f
End Function

Public Function Overmapp(ByVal folder As String) As String
    ' The folder above folder ("" when there is none).
    Dim f As String, i As Long
    f = UtanSnedstreck(folder)
    i = InStrRev(f, "\")
    If i > 1 Then
        Overmapp = Left$(f, i - 1)
    Else
        Overmapp = ""
    End If
End Function

Private Function LaggTill(ByVal lista As String, ByVal path As String) As String
    ' lista with path added as a new line, unless it is there already (case does not matter on Windows).
    If InStr(1, vbLf & LCase$(lista) & vbLf, vbLf & LCase$(path) & vbLf) > 0 Then
        LaggTill = lista
    ElseIf Len(lista) = 0 Then
        LaggTill = path
    Else
        LaggTill = lista & vbLf & path
    End If
End Function

Public Function Programkandidater(ByVal setting As String, ByVal folder As String, ByVal localAppData As String) As String
    ' Every place the program may be, in the order they are tried, one per line (vbLf).
    Dim lista As String
    If ArLokalSokvag(setting) Then lista = LaggTill(lista, setting)
    If ArLokalSokvag(folder) Then
        lista = LaggTill(lista, UtanSnedstreck(folder) & "\" & PROGRAM_I_MAPP)
        If Len(Overmapp(folder)) > 0 Then lista = LaggTill(lista, Overmapp(folder) & "\" & PROGRAM_I_MAPP)
    End If
    If ArLokalSokvag(localAppData) Then
        lista = LaggTill(lista, UtanSnedstreck(localAppData) & "\" & INSTALLATIONSMAPP & "\" & PROGRAM_I_MAPP)
    End If
    Programkandidater = lista
End Function

Public Function NamnetsText(ByVal refersTo As String) As String
    ' The text a defined name holds: ="C:\x\vpexcel.exe" (RefersTo of a name made in Namnhanteraren)
    ' gives C:\x\vpexcel.exe, with "" inside read as one quote. "" for a name that holds anything else.
    Dim t As String
    t = Trim$(refersTo)
    If Left$(t, 1) = "=" Then t = Trim$(Mid$(t, 2))
    If Len(t) >= 2 Then
        If Left$(t, 1) = Chr(34) And Right$(t, 1) = Chr(34) Then
            NamnetsText = Replace(Mid$(t, 2, Len(t) - 2), Chr(34) & Chr(34), Chr(34))
        End If
    End If
End Function

Public Function ArgumentText(ByVal text As String) As String
    ' A button's text (a file path, a period) as hex of its UTF-16 code units after "u16:". Both
    ' RunPython and RunFrozenPython go through cmd.exe /C, which would expand %VAR% and treat
    ' quotes, ^ and & specially; hex digits pass unchanged. vpexcel.excel decodes them.
    Dim i As Long, s As String
    s = ARGUMENT_PREFIX
    For i = 1 To Len(text)
        s = s & Right$("000" & Hex$(AscW(Mid$(text, i, 1)) And &HFFFF&), 4)
    Next i
    ArgumentText = s
End Function
