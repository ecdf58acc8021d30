// The "base" bundle every page loads from templates/base.html: the theme stylesheet and the
// header's theme toggle and language switch.
import "./theme.css";
import "./page.js";
