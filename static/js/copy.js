// "Copy for WhatsApp": copies the text of the element named by data-copy, and says so.
// Without JavaScript the text stays readable in its <details> box to copy by hand.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  try {
    await navigator.clipboard.writeText(source.value);
  } catch {
    source.closest("details")?.setAttribute("open", "");
    source.select();
    document.execCommand("copy");
  }
  const done = button.dataset.copied;
  if (done) {
    const label = button.textContent;
    button.textContent = done;
    setTimeout(() => { button.textContent = label; }, 2000);
  }
});
