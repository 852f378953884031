// Enhances the documentation upload form (activities/_upload_form.html) for phones on slow
// connections. Without this script the form posts as usual; the server verifies and
// re-encodes every file either way, so nothing here is trusted.
//
// - Photos shrink to at most 1600 px on the long side and travel as JPEG (the camera's
//   orientation applied), so a 4 MB photo sends a few hundred KB.
// - A progress bar with percent and a cancel button; the submit button waits meanwhile.
// - A failure says what happened and keeps the prepared files: pressing Upload again
//   retries without choosing them again. The server keeps one copy of a file sent twice.

const LONG_SIDE = 1600;
const QUALITY = 0.82;
const PHOTO_TYPES = /^image\/(jpeg|png|webp)$/;

async function shrink(file) {
  if (!PHOTO_TYPES.test(file.type) || typeof createImageBitmap !== "function") return file;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return file; // the browser cannot decode it: the server decides
  }
  const scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.round(bitmap.width * scale);
  const height = Math.round(bitmap.height * scale);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff"; // transparent PNG areas become white, as on the server
  context.fillRect(0, 0, width, height);
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
  if (!blob || (scale === 1 && blob.size >= file.size)) return file;
  const name = file.name.replace(/\.[^./]*$/, "") + ".jpg";
  return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
}

function enhance(form) {
  const input = form.querySelector('input[type="file"]');
  const submit = form.querySelector('button[type="submit"], input[type="submit"]');
  const panel = form.querySelector("[data-upload-progress]");
  const bar = panel.querySelector("progress");
  const percent = panel.querySelector("[data-upload-percent]");
  const cancel = panel.querySelector("[data-upload-cancel]");
  const problem = form.querySelector("[data-upload-problem]");
  const text = form.dataset;
  let prepared = null; // the shrunk files of the current choice, kept for retries
  let request = null;

  input.addEventListener("change", () => {
    prepared = null;
    say("");
  });

  function say(message) {
    problem.textContent = message;
    problem.hidden = !message;
  }

  function busy(on) {
    submit.disabled = on;
    form.setAttribute("aria-busy", on ? "true" : "false");
    panel.hidden = !on;
  }

  function show(fraction) {
    const value = Math.round(fraction * 100);
    bar.value = value;
    percent.textContent = `${value}%`;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (request || submit.disabled) return; // a second tap while sending does nothing
    if (!input.files.length && !prepared) {
      say(text.uploadEmpty);
      return;
    }
    busy(true);
    say("");
    show(0);
    percent.textContent = text.uploadPreparing;
    try {
      prepared ??= await Promise.all(Array.from(input.files, shrink));
    } catch {
      prepared = Array.from(input.files);
    }
    send(prepared);
  });

  function send(files) {
    const data = new FormData(form);
    data.delete(input.name);
    for (const file of files) data.append(input.name, file, file.name);
    request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) show(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      const answer = request;
      request = null;
      let body = null;
      try {
        body = JSON.parse(answer.responseText);
      } catch {
        body = null;
      }
      if (answer.status === 200 && body && body.redirect) {
        show(1);
        window.location.assign(body.redirect);
        return;
      }
      busy(false);
      if (body && body.error) say(body.error);
      else if (/\/akun\/login\//.test(answer.responseURL)) say(text.uploadLogin);
      else say(text.uploadFailed);
    });
    request.addEventListener("error", () => {
      request = null;
      busy(false);
      say(text.uploadDropped);
    });
    request.addEventListener("abort", () => {
      request = null;
      busy(false);
      say(text.uploadCancelled);
    });
    request.send(data);
  }

  cancel.addEventListener("click", () => {
    if (request) request.abort();
  });
}

document.querySelectorAll("form[data-upload]").forEach(enhance);
