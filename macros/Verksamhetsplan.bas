Attribute VB_Name = "Verksamhetsplan"
' vpexcel: the buttons of the "Verksamhetsplan" ribbon tab and of the sheet buttons.
' Source of truth for the add-in's VBA; build/build_addin.py puts it, with xlwings.bas
' from the pinned xlwings package, into vpexcel.xlam and the sample .xlsm.
' Each button calls one function in vpexcel.excel. With Python installed (xlwings
' finds the interpreter) it uses RunPython; otherwise RunFrozenPython with the
' packaged program, by default vpexcel\vpexcel.exe next to the add-in, or the path
' in the setting VPEXCEL_PROGRAM (a defined name in the open workbook or the add-in).
' From the ribbon, xlwings names the add-in as the caller; vpexcel.excel then works
' on the active workbook.
Option Explicit

Private Const PROGRAM_DEFAULT As String = "vpexcel\vpexcel.exe"

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

Public Sub Installningar()
    KorKnapp "settings"
End Sub

Public Sub Hjalp()
    KorKnapp "help"
End Sub

' --- running Python ---------------------------------------------------------------
Private Sub KorKnapp(knapp As String, ParamArray argument() As Variant)
    ' argument: plain texts; each becomes a Python string (RunPython) or a quoted
    ' command-line argument of "vpexcel knapp" (RunFrozenPython).
    Dim i As Long, python As String, kommando As String
    For i = LBound(argument) To UBound(argument)
        If i > LBound(argument) Then python = python & ", "
        python = python & PyText(CStr(argument(i)))
        kommando = kommando & " " & Chr(34) & Replace(CStr(argument(i)), Chr(34), "") & Chr(34)
    Next i
    On Error GoTo Fel
    Application.StatusBar = "vpexcel arbetar ..."
    If AnvandPython() Then
        RunPython "import vpexcel.excel as vp; vp." & knapp & "(" & python & ")"
    Else
        RunFrozenPython Program(), "knapp " & knapp & kommando
    End If
    Application.StatusBar = False
    Exit Sub
Fel:
    Application.StatusBar = False
    MsgBox "vpexcel kunde inte startas: " & Err.Description & vbCrLf & _
           Sv("Kontrollera att Python med vpexcel {ae}r installerat, eller att programmet finns i ") & Program() & ".", _
           vbExclamation, "vpexcel"
End Sub

Private Function AnvandPython() As Boolean
    ' The installed Python is preferred; the packaged program is the fallback.
    Dim interpreter As String
    On Error Resume Next
    interpreter = GetConfig("INTERPRETER_WIN")
    On Error GoTo 0
    AnvandPython = Len(interpreter) > 0 Or Len(Dir(Program())) = 0
End Function

Private Function Program() As String
    ' The name VPEXCEL_PROGRAM in the open workbook, or in the add-in, says where the program is.
    Dim setting As String
    On Error Resume Next
    setting = Evaluate(ActiveWorkbook.Names("VPEXCEL_PROGRAM").RefersTo)
    If Len(setting) = 0 Then setting = Evaluate(ThisWorkbook.Names("VPEXCEL_PROGRAM").RefersTo)
    On Error GoTo 0
    If Len(setting) > 0 Then
        Program = setting
    Else
        Program = ThisWorkbook.Path & Application.PathSeparator & PROGRAM_DEFAULT
    End If
End Function

Private Function Sv(text As String) As String
    ' Swedish letters written as {aa} {ae} {oe} (capitals {AA} {AE} {OE}), so this source is plain
    ' ASCII and reads the same whatever code page the VBA project is stored in.
    Sv = Replace(Replace(Replace(text, "{aa}", ChrW(229)), "{ae}", ChrW(228)), "{oe}", ChrW(246))
    Sv = Replace(Replace(Replace(Sv, "{AA}", ChrW(197)), "{AE}", ChrW(196)), "{OE}", ChrW(214))
End Function

Private Function PyText(text As String) As String
    ' A Python string literal: backslashes and quotes escaped.
    PyText = "'" & Replace(Replace(text, "\", "\\"), "'", "\'") & "'"
End Function
