Attribute VB_Name = "Verksamhetsplan"
' vpexcel: the buttons of the "Verksamhetsplan" ribbon tab and of the sheet buttons.
' Source of truth for the add-in's VBA; build/build_addin.py puts it, with Programsok.bas and
' xlwings.bas from the pinned xlwings package, into vpexcel.xlam and the sample .xlsm.
' Each button calls one function in vpexcel.excel. When xlwings has a Python configured
' (INTERPRETER_WIN, the older INTERPRETER, or CONDA PATH with CONDA ENV: the settings xlwings'
' RunPython reads) it uses RunPython; otherwise RunFrozenPython with the packaged program,
' found by the rule in Programsok.bas (the setting VPEXCEL_PROGRAM, beside this workbook, the
' folder above it, %LOCALAPPDATA%\vpexcel). Nothing found: a Swedish message that says where
' it looked. From the ribbon, xlwings names the add-in as the caller; vpexcel.excel then works
' on the active workbook.
Option Explicit

Private Const ASR_FEL As Long = 70  ' "Permission denied": Windows refused Excel a child process

' --- ribbon callbacks ---------------------------------------------------------
Public Sub VP_Validera(control As IRibbonControl)
    Validera
End Sub

Public Sub VP_Reparera(control As IRibbonControl)
    RepareraSiffror
End Sub

Public Sub VP_Rensa(control As IRibbonControl)
    RensaMarkeringar
End Sub

Public Sub VP_StamAv(control As IRibbonControl)
    StamAv
End Sub

Public Sub VP_Fyll(control As IRibbonControl)
    FyllUppfoljning
End Sub

Public Sub VP_Jamfor(control As IRibbonControl)
    JamforVersion
End Sub

Public Sub VP_Installningar(control As IRibbonControl)
    Installningar
End Sub

Public Sub VP_Hjalp(control As IRibbonControl)
    Hjalp
End Sub

' --- the buttons (also assigned to the sheet buttons) ---------------------------
Public Sub Validera()
    KorKnapp "validate"
End Sub

Public Sub RepareraSiffror()
    KorKnapp "repair_numbers"
End Sub

Public Sub RensaMarkeringar()
    KorKnapp "clear_marks"
End Sub

Public Sub StamAv()
    Dim huvudbok As Variant
    huvudbok = Application.GetOpenFilename("Huvudbok (*.csv;*.xlsx),*.csv;*.xlsx", , Sv("V{ae}lj huvudboksexporten"))
    If VarType(huvudbok) = vbBoolean Then Exit Sub
    KorKnapp "reconcile", CStr(huvudbok)
End Sub

Public Sub FyllUppfoljning()
    Dim period As String, budget As Variant, huvudbok As Variant, prognos As Variant
    period = InputBox(Sv("Vilken period ska f{oe}ljas upp? Skriv {aa}r och m{aa}nad, till exempel 2024-04."), Sv("Fyll uppf{oe}ljning"))
    If Len(period) = 0 Then Exit Sub
    budget = Application.GetOpenFilename("Budget (*.xlsx;*.xlsm),*.xlsx;*.xlsm", , Sv("V{ae}lj budgetarbetsboken"))
    If VarType(budget) = vbBoolean Then Exit Sub
    huvudbok = Application.GetOpenFilename("Huvudbok (*.csv;*.xlsx),*.csv;*.xlsx", , Sv("V{ae}lj huvudboksexporten"))
    If VarType(huvudbok) = vbBoolean Then Exit Sub
    prognos = Application.GetOpenFilename("Prognoser (*.xlsx),*.xlsx", , Sv("V{ae}lj prognosarbetsboken (Avbryt: vpexcel f{oe}resl{aa}r prognoser)"))
    If VarType(prognos) = vbBoolean Then prognos = ""
    KorKnapp "fill", period, CStr(budget), CStr(huvudbok), CStr(prognos)
End Sub

Public Sub JamforVersion()
    ' The open workbook, as saved, against an older version of it; the comparison is written beside it.
    Dim tidigare As Variant
    If Not ArbetsbokOppen() Then Exit Sub
    If Len(ActiveWorkbook.Path) = 0 Then
        MsgBox Sv("Spara arbetsboken f{oe}rst (Arkiv > Spara som): j{ae}mf{oe}relsen l{ae}ser den sparade versionen."), _
               vbInformation, "vpexcel"
        Exit Sub
    End If
    If Not ActiveWorkbook.Saved Then
        If MsgBox(Sv("Arbetsboken har {ae}ndringar som inte {ae}r sparade. J{ae}mf{oe}relsen l{ae}ser den sparade versionen. " & _
                     "Forts{ae}tta {ae}nd{aa}?"), vbOKCancel + vbQuestion, "vpexcel") <> vbOK Then Exit Sub
    End If
    tidigare = Application.GetOpenFilename("Budget (*.xlsx;*.xlsm),*.xlsx;*.xlsm", , Sv("V{ae}lj den tidigare versionen av budgeten"))
    If VarType(tidigare) = vbBoolean Then Exit Sub
    KorKnapp "compare", CStr(tidigare)
End Sub

Public Sub Installningar()
    KorKnapp "settings"
End Sub

Public Sub Hjalp()
    KorKnapp "help"
End Sub

' --- running Python ---------------------------------------------------------------
Public Sub KorKnapp(knapp As String, ParamArray argument() As Variant)
    ' argument: plain texts; each is handed over as ArgumentText (hex), which cmd.exe cannot change.
    Dim i As Long, python As String, kommando As String, exe As String, text As String
    If Not ArbetsbokOppen() Then Exit Sub
    For i = LBound(argument) To UBound(argument)
        text = ArgumentText(CStr(argument(i)))
        If Len(python) > 0 Then python = python & ", "
        python = python & "'" & text & "'"
        kommando = kommando & " " & text
    Next i
    On Error GoTo Fel
    Application.StatusBar = "vpexcel arbetar ..."
    If PythonInstallt() Then
        RunPython "import vpexcel.excel as vp; vp." & knapp & "(" & python & ")"
    Else
        exe = Program()
        If Len(exe) = 0 Then
            Application.StatusBar = False
            MsgBox ProgramSaknas(), vbExclamation, "vpexcel"
            Exit Sub
        End If
        RunFrozenPython exe, "knapp " & knapp & kommando
    End If
    Application.StatusBar = False
    Exit Sub
Fel:
    Application.StatusBar = False
    If Err.Number = ASR_FEL Then
        MsgBox Sv("Windows hindrade Excel fr{aa}n att starta vpexcel (fel 70, {AA}tkomst nekad). Det beror p{aa} en " & _
                  "s{ae}kerhetsregel som IT har satt (ASR: Office-program f{aa}r inte starta andra program), inte p{aa} " & _
                  "Python eller vpexcel. Be IT om ett undantag f{oe}r vpexcel, se avsnittet F{oe}r IT i dokumentation\excel.md."), _
               vbExclamation, "vpexcel"
    Else
        MsgBox Sv("vpexcel kunde inte startas (fel ") & Err.Number & ": " & Err.Description & ")." & vbCrLf & _
               Sv("Kontrollera att programmet finns d{ae}r det letades efter, eller att Python med vpexcel {ae}r installerat.") & _
               vbCrLf & Sv("Letade efter programmet i:") & vbLf & Programkandidater(Installning(), TillaggetsMapp(), Environ$("LOCALAPPDATA")), _
               vbExclamation, "vpexcel"
    End If
End Sub

Public Function ArbetsbokOppen() As Boolean
    ' The buttons work on the active workbook: there must be one, and not one in Protected View.
    Dim aktiv As Object, skyddad As Object
    On Error Resume Next
    Set aktiv = ActiveWorkbook
    Set skyddad = Application.ActiveProtectedViewWindow
    On Error GoTo 0
    If aktiv Is Nothing Then
        If Not skyddad Is Nothing Then
            MsgBox Sv("Arbetsboken {ae}r {oe}ppnad i skyddad vy, d{ae}r inget f{aa}r {ae}ndras. Klicka Aktivera redigering " & _
                      "i det gula f{ae}ltet och klicka sedan p{aa} knappen igen."), vbInformation, "vpexcel"
        Else
            MsgBox Sv("Ingen arbetsbok {ae}r {oe}ppen. {OE}ppna budgeten eller mallen och klicka sedan p{aa} knappen igen."), _
                   vbInformation, "vpexcel"
        End If
        Exit Function
    End If
    ArbetsbokOppen = True
End Function

Public Function PythonInstallt() As Boolean
    ' A Python configured for xlwings, read as xlwings' RunPython reads it: INTERPRETER_WIN, the
    ' older INTERPRETER, or CONDA PATH with CONDA ENV. Nested Ifs: VBA's Or and And do not short-circuit.
    Dim tolk As String, condaPath As String, condaEnv As String
    On Error Resume Next
    tolk = GetConfig("INTERPRETER_WIN")
    If Len(tolk) = 0 Then tolk = GetConfig("INTERPRETER")
    condaPath = GetConfig("CONDA PATH")
    condaEnv = GetConfig("CONDA ENV")
    On Error GoTo 0
    If Len(tolk) > 0 Then
        PythonInstallt = True
    ElseIf Len(condaPath) > 0 Then
        PythonInstallt = Len(condaEnv) > 0
    End If
End Function

Public Function Program() As String
    ' The first place of Programkandidater that holds the program; "" when none does.
    Dim kandidater As Variant, i As Long
    kandidater = Split(Programkandidater(Installning(), TillaggetsMapp(), Environ$("LOCALAPPDATA")), vbLf)
    For i = LBound(kandidater) To UBound(kandidater)
        If FilFinns(CStr(kandidater(i))) Then
            Program = CStr(kandidater(i))
            Exit Function
        End If
    Next i
End Function

Public Function Installning() As String
    ' The defined name VPEXCEL_PROGRAM in the open workbook, else in this workbook: a quoted path,
    ' ="C:\...\vpexcel.exe" (or a name pointing at a cell holding one). %VAR% in it is expanded
    ' here, so the path checked is the path run.
    Dim setting As String, refersTo As String
    On Error Resume Next
    refersTo = ActiveWorkbook.Names("VPEXCEL_PROGRAM").RefersTo
    If Len(refersTo) = 0 Then refersTo = ThisWorkbook.Names("VPEXCEL_PROGRAM").RefersTo
    setting = NamnetsText(refersTo)
    If Len(setting) = 0 Then
        If Len(refersTo) > 0 Then setting = CStr(Evaluate(refersTo))
    End If
    If InStr(1, setting, "%") > 0 Then setting = ExpandEnvironmentStrings(setting)
    On Error GoTo 0
    Installning = setting
End Function

Public Function TillaggetsMapp() As String
    ' The folder of the workbook holding this VBA, as a local path. With OneDrive, ThisWorkbook.Path
    ' is an https:// address: xlwings' GetFullName finds the synced local file, or gives "".
    Dim full As String
    On Error Resume Next
    full = GetFullName(ThisWorkbook)
    On Error GoTo 0
    If ArLokalSokvag(full) Then TillaggetsMapp = GetDirectory(full)
End Function

Public Function FilFinns(ByVal path As String) As Boolean
    ' True when path is a file; never called on a web address (Dir and GetAttr fail on those).
    Dim attribut As Long
    If Not ArLokalSokvag(path) Then Exit Function
    On Error Resume Next
    attribut = GetAttr(path)
    If Err.Number = 0 Then FilFinns = ((attribut And vbDirectory) = 0)
    Err.Clear
    On Error GoTo 0
End Function

Public Function ProgramSaknas() As String
    ' Where the program was looked for, and what to do.
    Dim text As String
    text = Sv("vpexcel hittar inte programmet vpexcel.exe och ingen Python {ae}r inst{ae}lld f{oe}r xlwings. " & _
              "Programmet letades efter h{ae}r:") & vbLf & Programkandidater(Installning(), TillaggetsMapp(), Environ$("LOCALAPPDATA"))
    If InStr(1, ThisWorkbook.Path, "://") > 0 And Len(TillaggetsMapp()) = 0 Then
        text = text & vbLf & Sv("Mappen d{ae}r " & ThisWorkbook.Name & " ligger {ae}r en webbadress (OneDrive eller SharePoint) " & _
                                "och kan inte anv{ae}ndas f{oe}r att hitta programmet.")
    End If
    ProgramSaknas = text & vbLf & vbLf & Sv("G{oe}r s{aa} h{ae}r: dubbelklicka p{aa} installera.cmd i mappen du packade upp " & _
                                           "(programmet hamnar d{aa} i %LOCALAPPDATA%\vpexcel), eller ange s{oe}kv{ae}gen till " & _
                                           "vpexcel.exe i namnet VPEXCEL_PROGRAM. Se L{AE}S MIG.txt.")
End Function

Private Function Sv(text As String) As String
    ' Swedish letters written as {aa} {ae} {oe} (capitals {AA} {AE} {OE}), so this source is plain
    ' ASCII and reads the same whatever code page the VBA project is stored in.
    Sv = Replace(Replace(Replace(text, "{aa}", ChrW(229)), "{ae}", ChrW(228)), "{oe}", ChrW(246))
    Sv = Replace(Replace(Replace(Sv, "{AA}", ChrW(197)), "{AE}", ChrW(196)), "{OE}", ChrW(214))
End Function
