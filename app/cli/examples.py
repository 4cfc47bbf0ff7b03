"""Examples for the --help of commands whose modules give none of their own (a module's own epilog wins).
Kept here so every command shows one without touching each group's module."""

EXAMPLES: dict[str, tuple[str, ...]] = {
    "kempelen workforce": ("kempelen workforce run --workers 20 --policy random --seed 7 --until-done",),
    "kempelen snapshot list": ("kempelen snapshot list --json",),
    "kempelen faults show": ("kempelen faults show --json",),
    "kempelen faults clear": ("kempelen faults clear",),
    "kempelen project": ("LAYOUT=$(kempelen project create --template page.html --properties props.json)",),
    "kempelen project create": ("LAYOUT=$(kempelen project create --template page.html --properties props.json)",),
    "kempelen batch": ("BATCH=$(kempelen batch publish --project $LAYOUT --csv input.csv)",
                       "kempelen batch status $BATCH"),
    "kempelen batch publish": ("BATCH=$(kempelen batch publish --project $LAYOUT --csv input.csv)",),
    "kempelen batch results": ("kempelen batch results $BATCH > Batch_results.csv",),
    "kempelen batch review": ("kempelen batch review $BATCH --csv Batch_results.csv",),
    "kempelen batch status": ("kempelen batch status $BATCH --json",),
    "kempelen batch cancel": ("kempelen batch cancel $BATCH",),
    "kempelen batch extend": ("kempelen batch extend $BATCH --seconds 86400 --assignments 1",),
}
