package io.chatpresence.launcher.reliability;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The soak's samples as five stacked panels (each on its own scale, from zero), drawn headless with Java2D. */
final class SoakPlot {
  private static final String[] TITLES = {"heap after full GC (MB)", "open file descriptors", "threads",
    "PostgreSQL client connections", "dead tuples in messages"};
  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
    new Color(0x9467bd), new Color(0xff7f0e)};

  private SoakPlot() {
  }

  static void write(Path file, String title, List<Double> minutes, List<long[]> samples) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int width = 900;
    int panel = 170;
    int top = 40;
    int left = 90;
    int right = 30;
    BufferedImage image = new BufferedImage(width, top + panel * TITLES.length + 40, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(title, left, 24);
    double maxMinute = Math.max(1e-9, minutes.get(minutes.size() - 1));
    for (int series = 0; series < TITLES.length; series++) {
      int y0 = top + series * panel;
      int plotTop = y0 + 22;
      int plotBottom = y0 + panel - 22;
      double max = 1;
      for (long[] s : samples) {
        max = Math.max(max, value(s, series));
      }
      max *= 1.15;
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.setColor(Color.BLACK);
      g.drawString(TITLES[series], left, y0 + 14);
      g.setColor(new Color(0xdddddd));
      g.drawRect(left, plotTop, width - left - right, plotBottom - plotTop);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format("%.0f", max), 10, plotTop + 10);
      g.drawString("0", 10, plotBottom);
      g.drawString(String.format("%.1f min", maxMinute), width - right - 60, plotBottom + 16);
      g.setColor(COLORS[series]);
      g.setStroke(new BasicStroke(2f));
      int px = -1;
      int py = -1;
      for (int i = 0; i < samples.size(); i++) {
        int x = left + (int) ((width - left - right) * minutes.get(i) / maxMinute);
        int y = plotBottom - (int) ((plotBottom - plotTop) * value(samples.get(i), series) / max);
        g.fillOval(x - 3, y - 3, 6, 6);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
    }
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  private static double value(long[] sample, int series) {
    return series == 0 ? sample[0] / (1024.0 * 1024.0) : sample[series];
  }
}
