/** Fails the app's start with a message naming every missing or malformed setting, instead of failing later. */
import { app } from '@azure/functions';
import { loadSettings } from '../shared/config';

app.hook.appStart(() => {
  loadSettings();
});
