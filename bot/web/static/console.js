// The only script: a Copy button beside each FAQ snippet. Without it the snippet is still
// there to select and copy by hand, so the button stays hidden until this runs.
for (const button of document.querySelectorAll("button.copy")) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    await navigator.clipboard.writeText(source.textContent);
    button.textContent = "✓";
  });
}
