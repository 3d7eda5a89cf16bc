// Runs until stopped: the VS Code suite checks that Stop ends it.
setInterval(() => console.log('still training'), 200);
