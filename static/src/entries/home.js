// Entry of the home page (templates/learn/home.html; its not-found page borrows the styles).
import "../learn/learn.css";
import { mountHome } from "../learn/home.js";

const root = document.querySelector("[data-learn-home]");
if (root) mountHome(root);
