// "Everyone present" on the attendance list: ticks present for every person, without
// saving, so the coordinator changes the few exceptions and then saves. Without this
// script the same button saves everyone as present.
document.querySelectorAll("form[data-attendance]").forEach((form) => {
  const button = form.querySelector("[data-all-present]");
  button.addEventListener("click", (event) => {
    event.preventDefault();
    form.querySelectorAll('input[type="radio"][value="present"]').forEach((radio) => {
      radio.checked = true;
    });
    const first = form.querySelector('input[type="radio"][value="present"]');
    if (first) first.focus();
  });
});
