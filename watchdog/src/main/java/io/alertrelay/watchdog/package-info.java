/** Canaries, absence reporting, the dead man's switch (issue 4). */
package io.alertrelay.watchdog;
