import { session, home } from './api.js';

// The landing page only decides where this user works.
session().then((me) => location.replace(home(me)));
