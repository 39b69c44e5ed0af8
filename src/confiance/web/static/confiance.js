// Confiance web UI: small progressive enhancements. Every page works without this file.
"use strict";

// "Copy" buttons next to a value shown once (a new key's secret): data-copy names the
// element whose text is copied. The buttons stay hidden where the clipboard is unavailable.
document.addEventListener("DOMContentLoaded", () => {
  if (!navigator.clipboard) {
    return;
  }
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) {
      continue;
    }
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.textContent.trim());
        button.textContent = "Copied";
      } catch {
        button.textContent = "Select and copy by hand";
      }
    });
  }
});
