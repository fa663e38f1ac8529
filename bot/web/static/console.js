// The console's only script, and nothing depends on it: every page works without it.

// A Copy button beside each FAQ snippet; without the script the snippet is there to select.
for (const button of document.querySelectorAll("button.copy")) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    await navigator.clipboard.writeText(source.textContent);
    button.textContent = "✓";
  });
}

// The announcement form's live count of recipients as the audience changes (Preview tells the
// same without the script).
const count = document.getElementById("audience-count");
if (count) {
  const fieldset = count.closest("fieldset");
  const update = async () => {
    const query = new URLSearchParams();
    for (const field of fieldset.querySelectorAll("input[type=radio]:checked, select")) {
      query.set(field.name, field.value);
    }
    try {
      const answer = await fetch(`${count.dataset.url}?${query}`, { credentials: "same-origin" });
      count.textContent = (await answer.json()).text;
    } catch {
      count.textContent = "";
    }
  };
  fieldset.addEventListener("change", update);
  update();
}
