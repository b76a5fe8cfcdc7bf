import './style.css';
import { boot } from './app';
import { PAGES } from './routes';

void boot(document.getElementById('app')!, PAGES);
