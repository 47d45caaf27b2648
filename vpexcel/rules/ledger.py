"""Ledger reconciliation (VP5xx). The findings come from ``vpexcel.reconcile``; here are the rules' texts."""

from __future__ import annotations

from vpexcel.findings import Severity
from vpexcel.rules import rule

rule(
    "VP501",
    Severity.ERROR,
    "ledger",
    title="Ansvar utan produktionsområde",
    what="Rader i huvudboken har ett ansvar som inte hör till något produktionsområde enligt tabellen Ansvar i inställningarna. "
    "Träffen anger antalet rader, beloppet och ansvaren.",
    why="Raderna kommer inte med i avstämningen, så utfallet per område blir för lågt och avvikelsen för god.",
    example="42 rader på ansvar 1450, sammanlagt −1,2 mkr, hör inte till något område.",
    fix="Lägg till ansvaret (eller ett intervall eller prefix som täcker det) i tabellen Ansvar på bladet Inställningar.",
)
rule(
    "VP502",
    Severity.ERROR,
    "ledger",
    title="Budgeten skiljer mot huvudbokens budget",
    what="Där huvudboken har budgetrader (en kolumn Budget eller en kolumn Typ med värdet Budget) jämförs nettobudgeten per område med budgetarbetsboken.",
    why="Två olika budgetar betyder att uppföljningen i ekonomisystemet och i nämndens rapport visar olika avvikelser.",
    example="Vuxenutbildning har −23,3 mkr i budgetarbetsboken men −24,0 mkr i huvudbokens budgetrader.",
    fix="Ta reda på vilken budget som är beslutad och rätta den andra (ofta en ombudgetering som bara gjorts på ett ställe).",
)
rule(
    "VP503",
    Severity.INFO,
    "ledger",
    title="Nämndinterna poster eliminerade",
    what="Intäkter och kostnader med en intern motpart (standard 1–4, kommunens egna enheter) elimineras när nämndens total räknas fram. "
    "Elimineringen minskar brutto intäkter och brutto kostnader med samma belopp och ändrar aldrig nettot.",
    why="Utan eliminering blir nämndens bruttobudget och bruttoutfall uppblåsta av köp och försäljning mellan de egna enheterna.",
    example="Interna intäkter 0,5 mkr och interna kostnader −0,5 mkr: totalen visar 0,5 mkr lägre intäkter och kostnader, samma netto.",
    fix="Ingen åtgärd behövs. Skiljer interna intäkter och kostnader sig åt står skillnaden kvar i bruttot och nämns i meddelandet.",
)
rule(
    "VP504",
    Severity.WARNING,
    "ledger",
    title="Ovanligt utfall för perioden",
    what="Ett område har förbrukat en större del av årets kostnadsbudget än perioden motiverar (takten enligt områdets "
    "periodiseringsnyckel, jämn om inget annat är inställt, plus en marginal, standard 20 procentenheter), har negativ "
    "förbrukning, eller har kostnader utan budget.",
    why="Ett högt utfall tidigt på året är ofta en felkontering eller en kostnad som kommer att ge underskott.",
    example="Räddningstjänst har förbrukat 85 % av årets kostnadsbudget efter april (jämn takt 33 %).",
    fix="Kontrollera konteringen. Är utfallet riktigt: ta med det i prognosen och i kommentaren till nämnden. "
    "Följer kostnaden ett känt mönster över året (semester, engångskostnader) kan området få en periodiseringsnyckel "
    "i tabellen Periodiseringsnycklar på bladet Inställningar.",
)
rule(
    "VP505",
    Severity.ERROR,
    "ledger",
    title="Huvudboksrad som inte går att läsa",
    what="En rad i huvudboksexporten har ett belopp som inte är ett tal (eller är inf, NaN eller orimligt stort: över "
    "10 000 miljarder kronor), en period som inte är ett datum eller saknar en kolumn. "
    "Träffen anger fil, rad och kolumn. Resten av huvudboken stäms av ändå.",
    why="Raden saknas i utfallet; är beloppet stort blir avstämningen fel.",
    example="Rad 118, kolumn Belopp: beloppet '12,5,0' är inget tal.",
    fix="Rätta raden i exporten, eller exportera huvudboken på nytt med semikolon och decimalkomma.",
)
rule(
    "VP506",
    Severity.WARNING,
    "ledger",
    title="Huvudboken räcker inte till perioden",
    what="Perioden som stäms av (med --period, eller i Excel) går längre än huvudboksexportens sista bokförda månad.",
    why="Månader utan rader i exporten ser ut som månader utan kostnader: utfallet blir för lågt, avvikelsen för god "
    "och ett bokslut i december visar bara en del av året.",
    example="Huvudboken har rader till och med april 2024, men avstämningen gäller januari–december 2024.",
    fix="Exportera huvudboken igen så att den täcker hela perioden, eller ange den period som exporten täcker.",
)
