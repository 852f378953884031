// Two buttons above the long text boxes (textarea[data-formatting]): bold and list.
// They write the same marks the tip under the box explains, so the text stays plain and
// readable while it is written, and the page shows it formatted once saved.

const labels = document.body.dataset;

function replaceSelection(field, make) {
  const start = field.selectionStart;
  const end = field.selectionEnd;
  const { text, select } = make(field.value.slice(start, end));
  field.setRangeText(text, start, end, "end");
  if (select) field.setSelectionRange(start + select[0], start + select[1]);
  field.focus();
  field.dispatchEvent(new Event("input", { bubbles: true })); // drafts.js keeps the change
}

function bold(selected) {
  const word = selected || labels.formatBoldSample;
  return { text: `**${word}**`, select: [2, 2 + word.length] };
}

function list(selected) {
  const lines = (selected || labels.formatListSample).split("\n");
  const text = lines.map((line) => (line.startsWith("- ") ? line : `- ${line}`)).join("\n");
  return { text: `\n${text}\n`, select: null };
}

function toolbar(field) {
  const bar = document.createElement("div");
  bar.className = "format-bar btn-group btn-group-sm mb-1";
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", labels.formatLabel);
  for (const [label, make, className] of [
    [labels.formatBold, bold, "fw-bold"],
    [labels.formatList, list, ""],
  ]) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `btn btn-outline-secondary ${className}`.trim();
    button.textContent = label;
    button.setAttribute("aria-controls", field.id);
    button.addEventListener("click", () => replaceSelection(field, make));
    bar.append(button);
  }
  field.before(bar);
}

document.querySelectorAll("textarea[data-formatting]").forEach((field) => {
  if (field.id) toolbar(field);
});
