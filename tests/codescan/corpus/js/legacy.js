// Labelled corpus: code built from strings.
function schedule(name, delay) {
  setTimeout("refresh('" + name + "')", delay); // expect: CF-JS-EVAL
  setInterval(`poll(${name})`, delay); // expect: CF-JS-EVAL
  setTimeout(() => refresh(name), delay);
  setTimeout(refresh, delay);
}

function calculator(expression) {
  return eval(expression); // expect: CF-JS-EVAL
}

function constants() {
  const two = eval("1 + 1");
  const make = new Function("a", "b", "return a + b");
  return [two, make];
}

function template(body) {
  return new Function("data", body); // expect: CF-JS-EVAL
}

const vm = require("vm");
function sandbox(code) {
  return vm.runInNewContext(code, {}); // expect: CF-JS-EVAL
}

function render(user) {
  document.getElementById("name").outerHTML = "<b>" + user.name + "</b>"; // expect: CF-JS-XSS
  document.getElementById("title").innerHTML = "Welcome";
  document.getElementById("x").innerHTML = `<i>${"static"}</i>`;
}
